// Public API of the HEP layer: decode (v3, v2), frame TCP streams, encode (tests, benchmark), and
// turn packets into flow records. Everything else in this folder is internal.
export { decodeHep, type HepDecodeOptions } from './hep-decode';
export { encodeHep3, type HepEncodeFields } from './hep-encode';
export { HEP_PROTOCOL_TYPE, HEP_REJECTS, type HepDecodeResult, type HepPacket, type HepReject } from './hep-packet';
export { HepSource, type FlowRecord, type HepResult, type HepSourceOptions, type HepStats } from './hep-source';
export { HepStreamFramer, type FrameResult } from './hep-stream-framer';
