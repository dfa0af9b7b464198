"""What an operation may cost, checked before it runs: depth, aliases and a cost plan found in one
linear walk of the document (shape, with cost and conditions for the plan), the checks in the
order every transport applies them (checks), each person's budget per minute (budgets), and the
strawberry extension that runs them for strawberry's execution (extension)."""
