// Records are validated once, where they enter the system (the collector); typed everywhere after.
import Ajv, { type ValidateFunction } from 'ajv';
import { isIPv4, isIPv6 } from 'node:net';
import common from './schemas/common.v1.json';
import sipFlow from './schemas/sip-flow.v1.json';
import mediaFlow from './schemas/media-flow.v1.json';
import finding from './schemas/finding.v1.json';
import decision from './schemas/decision.v1.json';
import auditEntry from './schemas/audit-entry.v1.json';
import malformedSip from './schemas/sip-malformed.v1.json';
import auditEvent from './schemas/audit-event.v1.json';
import allowlistEntry from './schemas/allowlist-entry.v1.json';
import sipEvidence from './schemas/sip-evidence.v1.json';
import incident from './schemas/incident.v1.json';
import incidentAction from './schemas/incident-action.v1.json';
import type { AllowlistEntry, AuditEntry, AuditEvent, Decision, Finding, Incident, IncidentAction, MalformedSip, MediaFlow, SipEvidence, SipFlow } from './records';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function buildAjv(): Ajv {
  const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
  ajv.addFormat('ipv4', (s: string) => isIPv4(s));
  ajv.addFormat('ipv6', (s: string) => isIPv6(s));
  ajv.addFormat('date-time', (s: string) => ISO_TIME.test(s) && !Number.isNaN(Date.parse(s)));
  ajv.addSchema(common);
  return ajv;
}

const ajv = buildAjv();

export interface RecordValidator<T> {
  (value: unknown): value is T;
  /** Human-readable reason of the last failure, e.g. "/source/ip must match format ipv4". */
  lastError(): string;
}

function compile<T>(schema: object): RecordValidator<T> {
  const fn: ValidateFunction = ajv.compile(schema);
  const check = ((value: unknown) => fn(value)) as RecordValidator<T>;
  check.lastError = () => ajv.errorsText(fn.errors, { dataVar: '' }).slice(0, 500);
  return check;
}

export const validateSipFlow = compile<SipFlow>(sipFlow);
export const validateMediaFlow = compile<MediaFlow>(mediaFlow);
export const validateMalformedSip = compile<MalformedSip>(malformedSip);
export const validateFinding = compile<Finding>(finding);
export const validateDecision = compile<Decision>(decision);
export const validateAuditEntry = compile<AuditEntry>(auditEntry);
export const validateAuditEvent = compile<AuditEvent>(auditEvent);
export const validateAllowlistEntry = compile<AllowlistEntry>(allowlistEntry);
export const validateSipEvidence = compile<SipEvidence>(sipEvidence);
export const validateIncident = compile<Incident>(incident);
export const validateIncidentAction = compile<IncidentAction>(incidentAction);
