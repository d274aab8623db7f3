// Every detector, in one list. Adding a detector is one file plus its fixture, and a line here.
import Ajv from 'ajv';
import { describeSchemaErrors } from '../core/config-errors';
import { CallsentryError } from '../core/errors';
import { withDefaultMaximum } from '../core/schema-numbers';
import type { AnyDetector, CommonSettings, DetectorDefinition, FlowRecord } from './definition';
import { horizonsSchema } from './horizons';
import fraudConcurrentCalls from './fraud-concurrent-calls';
import fraudWangiri from './fraud-wangiri';
import fraudAfterHours from './fraud-after-hours';
import fraudCallVelocity from './fraud-call-velocity';
import fraudClassOfService from './fraud-class-of-service';
import fraudDestinationRisk from './fraud-destination-risk';
import fraudPrefixProbing from './fraud-prefix-probing';
import fraudPrefixProbingAccount from './fraud-prefix-probing-account';
import fraudSequentialDialing from './fraud-sequential-dialing';
import fraudUnauthenticatedCall from './fraud-unauthenticated-call';
import policyTrunkToTrunkTransfer from './policy-trunk-to-trunk-transfer';
import policyUntrustedTrunk from './policy-untrusted-trunk';
import policyLockedRoomJoin from './policy-locked-room-join';
import policyHostPinGuessing from './policy-host-pin-guessing';
import policyUnencryptedMedia from './policy-unencrypted-media';
import policyUnencryptedSignalling from './policy-unencrypted-signalling';
import policyWeakCrypto from './policy-weak-crypto';
import sipDialogSpoofing from './sip-dialog-spoofing';
import sipDistributedFlood from './sip-distributed-flood';
import relayBandwidthFlood from './relay-bandwidth-flood';
import relayDeniedPeer from './relay-denied-peer';
import sipAccountCompromise from './sip-account-compromise';
import sipCredentialStuffing from './sip-credential-stuffing';
import sipDigestBruteforce from './sip-digest-bruteforce';
import sipDigestBruteforceAccount from './sip-digest-bruteforce-account';
import sipExtensionEnumeration from './sip-extension-enumeration';
import sipMalformedFlood from './sip-malformed-flood';
import sipOptionsSweep from './sip-options-sweep';
import sipRegistrationHijack from './sip-registration-hijack';
import sipRequestFlood from './sip-request-flood';
import sipScannerUa from './sip-scanner-ua';
import sipInviteScan from './sip-invite-scan';
import sipCampaign from './sip-campaign';
import sipNetworkAttack from './sip-network-attack';

/** The registry holds every detector under the common settings type; each file keeps its own. */
function entry<S extends CommonSettings, R extends FlowRecord>(d: DetectorDefinition<S, R>): AnyDetector {
  return d as unknown as AnyDetector;
}

export const DETECTORS: readonly AnyDetector[] = [
  // dos
  entry(sipRequestFlood),
  entry(sipDistributedFlood),
  entry(sipMalformedFlood),
  entry(sipDialogSpoofing),
  entry(sipNetworkAttack),
  // reconnaissance
  entry(sipScannerUa),
  entry(sipOptionsSweep),
  entry(sipExtensionEnumeration),
  entry(sipInviteScan),
  entry(sipCampaign),
  // credential attacks
  entry(sipDigestBruteforce),
  entry(sipDigestBruteforceAccount),
  entry(sipCredentialStuffing),
  entry(sipRegistrationHijack),
  entry(sipAccountCompromise),
  // fraud, keyed by account
  entry(fraudDestinationRisk),
  entry(fraudPrefixProbing),
  entry(fraudPrefixProbingAccount),
  entry(fraudCallVelocity),
  entry(fraudConcurrentCalls),
  entry(fraudSequentialDialing),
  entry(fraudClassOfService),
  entry(fraudWangiri),
  entry(fraudAfterHours),
  // fraud, keyed by source
  entry(fraudUnauthenticatedCall),
  // policy breaches
  entry(policyUnencryptedSignalling),
  entry(policyUnencryptedMedia),
  entry(policyWeakCrypto),
  entry(policyTrunkToTrunkTransfer),
  entry(policyUntrustedTrunk),
  entry(policyLockedRoomJoin),
  entry(policyHostPinGuessing),
  // relay abuse, on media flows
  entry(relayDeniedPeer),
  entry(relayBandwidthFlood),
];

/** Detectors that were replaced, with what their configuration should say now. */
const REPLACED: Readonly<Record<string, string>> = {
  'fraud/high-cost-destination':
    'this detector was replaced by fraud/destination-risk, which scores every answered call by number type, country risk, your prefix list and the usual destinations of the source: move prefixes and prefix_file to detectors.fraud/destination-risk (same meaning), and international_prefixes to dial_plans.default.international_prefixes',
};

const COMMON_SCHEMA = {
  enabled: { type: 'boolean' },
  window_seconds: { type: 'number', exclusiveMinimum: 0, maximum: 86400 },
  suppress_seconds: { type: 'number', minimum: 0, maximum: 604800 },
  severity: { enum: ['low', 'medium', 'high', 'critical'] },
};

/** The bound of a detector number that states none: more than any window counts (1e400 is Infinity in YAML). */
export const DEFAULT_SETTING_MAXIMUM = 1_000_000_000;

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });

/** The schema of one detector's settings: the common keys and its own, every number bounded. */
export function settingsSchema(detector: AnyDetector): object {
  return withDefaultMaximum(
    { type: 'object', additionalProperties: false, properties: { ...COMMON_SCHEMA, ...detector.settingsSchema, horizons: horizonsSchema(COMMON_SCHEMA, detector.settingsSchema) } },
    DEFAULT_SETTING_MAXIMUM,
  );
}

/** Detectors with their settings: defaults overlaid by the `detectors:` section of the configuration. */
export function activeDetectors(
  overrides: Record<string, Record<string, unknown>> = {},
): Array<{ detector: AnyDetector; settings: CommonSettings }> {
  const replaced = Object.keys(overrides).filter((id) => REPLACED[id] !== undefined);
  if (replaced.length) throw new CallsentryError('BAD_CONFIG', replaced.map((id) => `detectors.${id}: ${REPLACED[id]}`).join('; '));
  const unknown = Object.keys(overrides).filter((id) => !DETECTORS.some((d) => d.id === id));
  if (unknown.length) {
    throw new CallsentryError('BAD_CONFIG', `detectors: unknown detector id ${unknown.join(', ')} (known: ${DETECTORS.map((d) => d.id).join(', ')})`);
  }
  return DETECTORS.map((detector) => {
    const given = overrides[detector.id] ?? {};
    const check = ajv.compile(settingsSchema(detector));
    if (!check(given)) throw new CallsentryError('BAD_CONFIG', describeSchemaErrors(check.errors, `detectors.${detector.id}`).join('; '));
    const names = ((given.horizons ?? []) as Array<{ name: string }>).map((h) => h.name);
    const repeated = names.find((n, i) => names.indexOf(n) !== i);
    if (repeated !== undefined) throw new CallsentryError('BAD_CONFIG', `detectors.${detector.id}.horizons: the name '${repeated}' is given twice (each horizon needs its own name)`);
    const settings = { ...detector.defaults } as Record<string, unknown>;
    for (const [k, v] of Object.entries(given)) {
      const d = settings[k];
      settings[k] = d && typeof d === 'object' && !Array.isArray(d) && typeof v === 'object' ? { ...d, ...(v as object) } : v;
    }
    return { detector, settings: resolve(detector, settings as unknown as CommonSettings) };
  });
}

/** Runs a detector's start-time hook (reading its files); any failure is a configuration error. */
function resolve(detector: AnyDetector, settings: CommonSettings): CommonSettings {
  if (!detector.resolve) return settings;
  try {
    return detector.resolve(settings);
  } catch (err) {
    throw new CallsentryError('BAD_CONFIG', `detectors.${detector.id}: ${(err as Error).message}`, { cause: err });
  }
}
