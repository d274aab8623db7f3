// The Node runtime flags of `callsentry verdict`, a process that must answer every call within a
// millisecond or two. bin/callsentry.js relaunches the command once with those the operator has not
// set (on the command line or in NODE_OPTIONS); the benchmark starts its service with the same.
//
// Measured on 2 vCPUs under 5,000 verdicts/s (docs/benchmarks.md):
// - V8 marks the old generation for a full collection on its helper threads, four by default. They
//   took both CPUs from the thread that answers, and answers queued for 40-150 ms (a p99 of
//   35-70 ms in the rounds a full collection fell in). With one helper the marking takes longer and
//   the answers go on.
// - Each young collection holds the answers that arrive while it runs. V8 starts the young
//   generation at 1 MB; at 16-32 MB it collects a tenth as often. In full benchmark runs the SIP
//   p99 was about the same at every size tried (0.93-1.39 ms at 16-32 MB over five runs, 1.04 at
//   V8's default in one, 1.14-1.52 at a fixed 4 MB in two), and HTTP's best at 16-32 MB
//   (0.73-1.07 ms, against 0.86 and 1.07-1.29).
export const VERDICT_NODE_FLAGS: readonly string[] = ['--v8-pool-size=1', '--min-semi-space-size=16', '--max-semi-space-size=32'];

/** Which of the verdict flags `callsentry <argv>` still needs: none unless the command is `verdict`, none the operator gave. */
export function missingVerdictFlags(argv: readonly string[], execArgv: readonly string[], nodeOptions = ''): string[] {
  if (argv[0] !== 'verdict') return [];
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].map((f) => f.split('=')[0].replace(/_/g, '-')));
  return VERDICT_NODE_FLAGS.filter((f) => !given.has(f.split('=')[0]));
}
