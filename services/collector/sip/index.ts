// Public API of the SIP layer: parse messages, summarise SDP, correlate transactions into SipFlow
// records. Everything else in this folder is internal.
export { DEFAULT_SIP_LIMITS, parseSipMessage, type ParseOptions, type SipLimits } from './parse-message';
export {
  DEFECTS,
  PARSE_FAILURES,
  type Challenge,
  type Credentials,
  type Defect,
  type NameAddr,
  type ParseFailure,
  type ParseResult,
  type SipHeader,
  type SipMessage,
  type SipUri,
  type Via,
} from './sip-message';
export { isSrtpMedia, parseSdp, summarizeSdp, type RtpMapEntry, type SdpDescription, type SdpMedia } from './sdp';
export { isKeepAlive, looksLikeSip } from './sip-sniff';
export { createSipStats, type SipStats } from './sip-stats';
export { SipCorrelator, type CorrelatorOptions, type PacketMeta, type SdpEvent } from './transactions';
