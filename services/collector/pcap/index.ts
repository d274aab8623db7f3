// Public API of capture reading: readCaptureFlows turns a pcap/pcapng file into SipFlow and
// MediaFlow records; the lower layers are exported for tools that need packets or decoding only.
export { CAPTURE_ERRORS, CaptureError, type CaptureErrorCode } from './capture-error';
export { createCaptureStats, type CaptureStats } from './capture-stats';
export { LINKTYPE, PacketDecoder, SKIP_REASONS, type DecodeResult, type SkipReason, type TransportPacket } from './decode';
export { createReaderStats, readPackets, type CapturedPacket, type ReaderStats, type ReadOptions } from './pcap-reader';
export { readCaptureFlows, type CaptureOptions } from './pcap-source';
export { MediaTracker, type MediaStats, type MediaTrackerOptions, type UdpPacket } from './rtp';
export type { TlsSession, TlsStats } from './tls-sessions';
