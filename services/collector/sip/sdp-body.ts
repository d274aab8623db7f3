// Find the SDP in a message body: application/sdp directly, or one part of a multipart body
// (SIP-I/SIP-T and some WebRTC gateways wrap it with ISUP or other parts).
import { parseSdp, type SdpDescription } from './sdp';
import type { SipMessage } from './sip-message';
import { paramValue, parseParams } from './text-scan';

const MAX_PARTS = 8;

function isSdpType(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.startsWith('application/sdp');
}

function sdpPart(body: Buffer, contentType: string): SdpDescription | undefined {
  const semi = contentType.indexOf(';');
  if (semi < 0) return undefined;
  const boundary = paramValue(parseParams(contentType.slice(semi)).params, 'boundary');
  if (!boundary) return undefined;
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  let pos = body.indexOf(delimiter);
  for (let n = 0; n < MAX_PARTS && pos >= 0; n++) {
    const partStart = pos + delimiter.length;
    const next = body.indexOf(delimiter, partStart);
    const part = body.subarray(partStart, next < 0 ? body.length : next);
    const split = part.indexOf('\r\n\r\n');
    const headerEnd = split >= 0 ? split : part.indexOf('\n\n');
    if (headerEnd >= 0) {
      const headers = part.toString('latin1', 0, headerEnd).toLowerCase();
      if (headers.includes('content-type: application/sdp') || headers.includes('content-type:application/sdp')) {
        return parseSdp(part.subarray(headerEnd + (split >= 0 ? 4 : 2)));
      }
    }
    pos = next;
  }
  return undefined;
}

export function extractSdp(msg: SipMessage): SdpDescription | undefined {
  if (msg.body.length === 0) return undefined;
  const type = msg.contentType;
  if (isSdpType(type)) return parseSdp(msg.body);
  if (type === undefined) return msg.body[0] === 0x76 ? parseSdp(msg.body) : undefined; // "v=" without a type
  if (type.startsWith('multipart/')) return sdpPart(msg.body, type);
  return undefined;
}
