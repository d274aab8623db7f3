import { parseSipMessage } from '../collector/sip';
import { answerSip } from './sip-answer';
import type { Verdict } from './verdict';

const allow = (): Verdict => ({ verdict: 'allow', reason: 'no rule objected', rule: 'allow', finding_ids: [], ttl_seconds: 60 });

function invite(callId: string, cseq = 1): Buffer {
  return Buffer.from(
    [`INVITE sip:+442079460000@carrier.example SIP/2.0`, 'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1', 'From: <sip:1001@pbx.example>;tag=a1', 'To: <sip:+442079460000@carrier.example>', `Call-ID: ${callId}`, `CSeq: ${cseq} INVITE`, 'Max-Forwards: 70', 'Content-Length: 0', '', ''].join('\r\n'),
  );
}

function toTag(buf: Buffer): string {
  const r = parseSipMessage(buf);
  if (!r.ok) throw new Error(r.reason);
  const out = answerSip(r.message, '127.0.0.1', allow);
  if (out.kind !== 'reply') throw new Error('no reply');
  return /^To: .*;tag=(\S+)$/m.exec(out.text)![1];
}

describe('SIP redirect answer', () => {
  it('gives a retransmitted INVITE the same To tag, and other calls or CSeqs other tags', () => {
    const tag = toTag(invite('call-1@pbx'));
    expect(tag).toMatch(/^cs[0-9a-f]{12}$/);
    expect(toTag(invite('call-1@pbx'))).toBe(tag);
    expect(toTag(invite('call-2@pbx'))).not.toBe(tag);
    expect(toTag(invite('call-1@pbx', 2))).not.toBe(tag);
  });
});
