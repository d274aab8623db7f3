// Capture files (pcap, pcapng) into the collector's ingest, in the capture's event time, with a
// progress bar and a summary of what the capture held.
import { CallsentryError } from '../core/errors';
import type { Ingest } from '../collector/ingest';
import { malformedRecord } from '../collector/malformed-record';
import { CaptureError, createCaptureStats, readCaptureFlows, type CaptureStats } from '../collector/pcap';
import type { EvidenceSettings } from '../core/config';
import { evidenceOptions } from '../collector/evidence/settings';
import type { CommandIo } from './io';
import { Progress } from './progress';

export interface CaptureFeedResult {
  stats: CaptureStats;
  records: number;
  /** set when the capture ended in damage: what was read before it is kept */
  error?: CallsentryError;
}

/** `evidence`: collector.evidence; absent, no evidence records are sampled */
export async function feedCapture(ingest: Ingest, file: string, io: CommandIo, sensor: string, tenant?: string, evidence?: EvidenceSettings): Promise<CaptureFeedResult> {
  const sampling = evidence && evidenceOptions(evidence);
  const stats = createCaptureStats();
  let progress: Progress | undefined;
  let records = 0;
  try {
    const malformed: Array<Promise<void>> = [];
    const flows = readCaptureFlows(file, {
      stats,
      observerId: sensor,
      // a capture belongs to one tenant's network when collector.tenant says so
      ...(tenant ? { organizationId: tenant } : {}),
      ...(sampling ? { evidence: sampling } : {}),
      // a message that does not parse is dead-lettered with its reason (the bytes, for forensics)
      // and becomes a malformed-SIP event in the flow stream (for detection), both keyed by source
      onMalformed: (m) => {
        const where = `${m.meta.src.ip}:${m.meta.src.port} -> ${m.meta.dst.ip}:${m.meta.dst.port} ${m.meta.transport}`;
        malformed.push(ingest.deadLetter(m.bytes ? m.bytes.toString('latin1') : '', 'MALFORMED_SIP', `${m.reason}: ${m.detail} (${where})`, 'flows.sip.v1', m.meta.src.ip));
        malformed.push(ingest.record(malformedRecord({ timeMs: m.meta.timeMs, src: m.meta.src, dst: m.meta.dst, transport: m.meta.transport, reason: m.reason, detail: m.detail, observerId: sensor })));
      },
      onProgress: (done, total) => {
        progress ??= new Progress({ stream: process.stderr, isTty: io.isTty, env: io.env }, total, file);
        progress.update(done, `${stats.sip.messages} SIP messages`);
      },
    });
    for await (const record of flows) {
      records++;
      await ingest.record(record);
    }
    await Promise.all(malformed);
  } catch (err) {
    if (!(err instanceof CaptureError)) throw err;
    return { stats, records, error: new CallsentryError('BAD_CAPTURE', err.message, { cause: err, context: { offset: err.offset } }) };
  } finally {
    progress?.finish();
    await ingest.flush();
  }
  return { stats, records };
}

/** One line people can compare with `tshark -z sip,stat`: what the capture held. */
export function describeCapture(file: string, r: CaptureFeedResult): string {
  const s = r.stats;
  const errors = Object.entries(s.errors)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k}=${n}`)
    .join(' ');
  return (
    `capture ${file}: ${s.packets} packets, ${s.sip.messages} SIP messages (${s.sip.requests} requests, ${s.sip.responses} responses), ` +
    `${s.sip.transactions} transactions, ${s.sip.dialogs} dialogs, ${s.media.streams} media streams${errors ? `; errors: ${errors}` : ''}` +
    // an evasion, not damage: what the destination saw is unknown, so the datagram was not read
    (s.fragments.overlaps ? `; ${s.fragments.overlaps} IP datagrams dropped: their fragments overlapped with different bytes` : '') +
    (s.tcp.conflicts ? `; ${s.tcp.conflicts} TCP segments repeated bytes with different content (their streams were resynchronised)` : '') +
    (s.file.truncatedTail ? '; the file ends inside a record (a capture cut short): its last packet was skipped' : '')
  );
}
