// PostGraphile 5 as the bench runs it (bench/postgraphile5.py copies this file beside its
// node_modules, so the imports resolve there): the amber preset, v5's recommended one, with the
// connection-filter plugin, exposing what the 4.x peer's command line exposes.
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { PostGraphileConnectionFilterPreset } from "postgraphile-plugin-connection-filter";

export default {
  extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
  // 4.x orders, filters and follows relations by every column (its default, ignoreIndexes);
  // 5 only by indexed ones unless this plugin is off.
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  grafserv: { graphiql: false }, // 4.x: --disable-graphiql
  grafast: { explain: false },
};
