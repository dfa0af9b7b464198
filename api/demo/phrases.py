"""What people write on requests, by moment. `{first}` is the requester's first name."""

from __future__ import annotations

ACKNOWLEDGE = (
    "Hi {first}, thanks for raising this. I've picked it up.",
    "Thanks {first} — we're on it and will update you here.",
    "Hello {first}, got it. I'll get back to you today.",
    "Thanks for the details, {first}. Looking into it now.",
)

QUESTION = (
    "Could you send a screenshot of the error message?",
    "Which cost centre should this be charged to?",
    "Can you confirm the date still works for you?",
    "Are you in the office tomorrow morning so we can take a look?",
    "Could you tell us when this last worked?",
)

REPLY = (
    "Sure, attached the screenshot.",
    "Yes, that date still works.",
    "Cost centre is CC-200, approved by my manager.",
    "I'm in from 9:00, desk by the window.",
    "It last worked on Friday afternoon.",
)

PROGRESS = (
    "Quick update: the part is ordered and should arrive Thursday.",
    "Still working on it; waiting for the supplier to confirm.",
    "Made some progress — should be sorted by tomorrow.",
)

RESOLUTION = (
    "All done. Let us know if anything else comes up.",
    "This is sorted now — please check on your side.",
    "Fixed. I'll leave this open for a few days in case it comes back.",
    "Completed; details are in the request history.",
)

REOPEN = (
    "Sorry, it's happening again this morning.",
    "Not quite fixed: same problem after a restart.",
)

THANKS = ("Thanks, all good!", "Works now, thank you.", "Perfect, thanks for the quick help.")

NUDGE = ("Any update on this? It's blocking me.", "Adding: it's getting worse.", "Is there anything you need from me?")

REQUESTER_CANCEL = ("No longer needed.", "Raised by mistake, sorry.", "Sorted it out myself.")
AGENT_CANCEL = (
    "Duplicate of an earlier request.",
    "Covered by the office-wide fix announced today.",
    "Requester confirmed this is no longer needed.",
)

AUTO_CLOSE = "No reply for a few days after resolution; closing."
ESCALATE = "Escalating: this affects a whole team."
DOWNGRADE = "Lowering priority: a workaround is in place."

# Internal notes each department writes while working (owner or task department).
INTERNAL_NOTES = {
    "it": (
        "Checked the asset register; warranty still valid.",
        "Reimaged and re-enrolled in device management.",
        "Same root cause as last week's VPN tickets.",
        "Stock check: two units left in the store room.",
    ),
    "facilities": (
        "Contractor booked for Tuesday morning.",
        "Desk is free; cleared with the floor warden.",
        "Spare parts in the basement store.",
        "Badge printer is back online.",
    ),
    "hr": (
        "Checked against the policy: eligible.",
        "Contract template updated with the new grade.",
        "Manager approval is on file.",
        "Payroll cut-off is the 20th; we're in time.",
    ),
    "finance": (
        "Within budget for the cost centre; approved.",
        "Supplier is on the approved list.",
        "Matched to the receipts; amounts agree.",
        "Will go out in Friday's payment run.",
    ),
}

HANDOFF_NOTE = ("Not ours: {reason} Handing over.", "Misrouted. {reason}")
PASSED_ON = (
    "Hi {first}, {department} look after this, so I've passed it to them.",
    "Thanks {first} — this is one for {department}; they have it now.",
)

RATING_COMMENTS = {
    5: ("Quick and friendly, thank you!", "Great service.", None),
    4: ("Good, took a little while.", None),
    3: ("Fine in the end, but I had to chase.", None),
    2: ("Took far too long.", "Had to explain it twice."),
    1: ("Nobody replied for days.",),
}
