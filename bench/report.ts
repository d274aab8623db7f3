// Benchmarks print figures (never assert them): a line for people, and one JSON line to collect.
export function report(name: string, figures: Record<string, number | string>): void {
  const text = Object.entries(figures)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(2)) : v}`)
    .join('  ');
  process.stdout.write(`${name.padEnd(28)} ${text}\n`);
  process.stdout.write(`BENCH ${JSON.stringify({ name, ...figures })}\n`);
}

export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}
