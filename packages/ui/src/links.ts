// In-app links shared by pages in different chunks (kept here so a link does not pull a page in).

/** Experiment ids as MLflow orders them in `compare-experiments` links and state keys. */
export function sortedIds(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort();
}

/** MLflow's link to the runs of several experiments: `/compare-experiments/s?experiments=["1","2"]`. */
export function compareExperimentsPath(ids: readonly string[]): string {
  return `/compare-experiments/s?experiments=${encodeURIComponent(JSON.stringify(sortedIds(ids)))}`;
}
