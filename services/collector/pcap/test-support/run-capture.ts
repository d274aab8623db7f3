// Run a capture through readCaptureFlows and collect everything, for pipeline tests.
import type { MediaFlow, SipFlow } from '../../../core/records';
import { createCaptureStats, type CaptureStats } from '../capture-stats';
import { readCaptureFlows, type CaptureOptions } from '../pcap-source';

export interface CaptureRun {
  sip: SipFlow[];
  media: MediaFlow[];
  stats: CaptureStats;
}

export async function runCapture(file: string, options: CaptureOptions = {}): Promise<CaptureRun> {
  const stats = options.stats ?? createCaptureStats();
  const run: CaptureRun = { sip: [], media: [], stats };
  for await (const record of readCaptureFlows(file, { ...options, stats })) {
    if (record.event.dataset === 'sip.flow') run.sip.push(record as SipFlow);
    else run.media.push(record as MediaFlow);
  }
  return run;
}
