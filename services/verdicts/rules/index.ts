// The verdict rules, in the order they are asked: what is already known to be bad first, then
// what the account may do, then what it is doing.
import { blockedSource } from './blocked-source';
import { classOfService } from './class-of-service';
import { concurrentCalls } from './concurrent-calls';
import { destinationRisk } from './destination-risk';
import { internationalBaseline } from './international-baseline';
import type { VerdictRule } from './rule';
import { spendQuota } from './spend-quota';
import { suspendedAccount } from './suspended-account';

export const VERDICT_RULES: readonly VerdictRule[] = [blockedSource, suspendedAccount, classOfService, destinationRisk, concurrentCalls, spendQuota, internationalBaseline];
