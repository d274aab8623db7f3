// Per Call-ID memory of which dialog tags travelled from which address to which. A request that
// echoes, as its To tag, a tag that its destination earlier sent to its source proves that the
// source receives the destination's packets (an ACK to our 407, the ACK of a 2xx, a BYE inside a
// dialog). The check is directional, so a tag an attacker sent to a victim itself proves nothing.
//
// Calls start in a short-lived map; a 2xx to INVITE promotes them to the dialog map with a long
// idle time. Floods of unanswered or challenged INVITEs therefore churn the first map and cannot
// push confirmed dialogs out of the second.
import { BoundedMap } from './bounded-map';
import { detach } from './text-scan';

const MAX_TAGS_PER_CALL = 8;
const NOT_KNOWN = Object.freeze({ known: false, party: false });
const MAX_PARTIES = 8;
/** longer tags are compared on their first 256 characters */
const MAX_TAG = 256;

interface TagHop {
  tag: string;
  from: string;
  to: string;
}

interface CallState {
  hops: TagHop[];
  lastMs: number;
  /** the address an INVITE of this call was sent to with credentials */
  authenticatedTo?: string;
  /** addresses that took part in setting the call up (see joined) */
  parties?: string[];
}

export interface CallTagOptions {
  maxEarlyCalls: number;
  earlyIdleMs: number;
  maxDialogs: number;
  dialogIdleMs: number;
  onEvictDialog: () => void;
}

export class CallTags {
  private readonly early: BoundedMap<string, CallState>;
  private readonly dialogs: BoundedMap<string, CallState>;

  constructor(private readonly opts: CallTagOptions) {
    this.early = new BoundedMap(opts.maxEarlyCalls);
    this.dialogs = new BoundedMap(opts.maxDialogs, opts.onEvictDialog);
  }

  get dialogCount(): number {
    return this.dialogs.size;
  }

  /** A message from `from` to `to` carried its sender's tag. */
  delivered(callId: string, tag: string, from: string, to: string, timeMs: number): void {
    let state = this.dialogs.get(callId);
    if (state) this.dialogs.touch(callId);
    else {
      state = this.early.get(callId);
      if (state) this.early.touch(callId);
      else {
        state = { hops: [], lastMs: timeMs };
        this.early.set(detach(callId), state);
      }
    }
    state.lastMs = timeMs;
    const t = tag.length > MAX_TAG ? tag.slice(0, MAX_TAG) : tag;
    for (const hop of state.hops) if (hop.tag === t && hop.from === from && hop.to === to) return;
    if (state.hops.length >= MAX_TAGS_PER_CALL) state.hops.shift();
    state.hops.push({ tag: detach(t), from, to });
  }

  /** True when `tag` was earlier sent from `to` to `from`: the sender of this request received it. */
  echoes(callId: string, tag: string, from: string, to: string): boolean {
    const state = this.dialogs.get(callId) ?? this.early.get(callId);
    if (!state) return false;
    const t = tag.length > MAX_TAG ? tag.slice(0, MAX_TAG) : tag;
    for (const hop of state.hops) if (hop.tag === t && hop.from === to && hop.to === from) return true;
    return false;
  }

  /**
   * What the sensor knows of the call a request acts on: whether it saw the call (and, when the
   * request carries a To tag, that tag among the call's), and whether `address` took part in it
   * (sent or received a tagged message: a phone, or a proxy on the path). Addresses, not ports:
   * NAT rebinding moves ports.
   */
  standing(callId: string, address: string, toTag: string | undefined): { known: boolean; party: boolean } {
    const state = this.dialogs.get(callId) ?? this.early.get(callId);
    if (!state) return NOT_KNOWN;
    const t = toTag === undefined || toTag.length <= MAX_TAG ? toTag : toTag.slice(0, MAX_TAG);
    let known = t === undefined;
    for (const hop of state.hops) if (hop.tag === t) known = true;
    return { known, party: state.parties?.includes(address) ?? false };
  }

  /**
   * `address` took part in setting the call up: it received an INVITE of it, or an 18x/2xx answer
   * to one, or sent an INVITE or ACK of it that proved itself. Sending a request of the call is
   * not enough (a forger can), nor receiving the refusal of a forged one (a 481).
   */
  joined(callId: string, address: string, timeMs: number): void {
    let state = this.dialogs.get(callId) ?? this.early.get(callId);
    if (!state) {
      state = { hops: [], lastMs: timeMs };
      this.early.set(detach(callId), state);
    }
    const parties = (state.parties ??= []);
    if (parties.includes(address)) return;
    if (parties.length >= MAX_PARTIES) parties.shift();
    parties.push(detach(address));
  }

  /** An INVITE of the call, with credentials, was sent to `address`. */
  authenticated(callId: string, address: string): void {
    const state = this.dialogs.get(callId) ?? this.early.get(callId);
    if (state) state.authenticatedTo = detach(address);
  }

  /** Whether `address` received an authenticated INVITE of the call: what it sends on is a relay of it. */
  relaysAuthenticated(callId: string, address: string): boolean {
    return (this.dialogs.get(callId) ?? this.early.get(callId))?.authenticatedTo === address;
  }

  /** A 2xx answered an INVITE. Returns true when this created a dialog. */
  confirm(callId: string, timeMs: number): boolean {
    if (this.dialogs.has(callId)) return false;
    const state = this.early.get(callId) ?? { hops: [], lastMs: timeMs };
    this.early.delete(callId);
    state.lastMs = timeMs;
    this.dialogs.set(detach(callId), state);
    return true;
  }

  /** A BYE completed: keep the tags for late requests, but only for the short idle time. */
  end(callId: string, timeMs: number): void {
    const state = this.dialogs.get(callId);
    if (!state) return;
    this.dialogs.delete(callId);
    state.lastMs = timeMs;
    this.early.set(detach(callId), state);
  }

  expire(nowMs: number): void {
    this.early.shiftWhile((s) => nowMs - s.lastMs > this.opts.earlyIdleMs);
    this.dialogs.shiftWhile((s) => nowMs - s.lastMs > this.opts.dialogIdleMs);
  }
}
