// The durable audit log: an append-only NDJSON file, one canonical entry per line, fsynced before
// the writer lets the bus commit. Opening it verifies the whole chain and refuses a broken one.
import { mkdir, open, truncate, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CallsentryError } from '../core/errors';
import { silentLogger, type Logger } from '../core/ports';
import type { AuditEntry } from '../core/records';
import { canonicalJson } from './canonical';
import { GENESIS, headAfter } from './chain';
import { readLines } from './lines';
import type { AuditStore, OpenedChain } from './store';
import { ChainVerifier } from './verify-chain';
import { WriterLock } from './writer-lock';

export class FileAuditStore implements AuditStore {
  private fh: FileHandle | undefined;
  private readonly lock: WriterLock;

  constructor(
    readonly location: string,
    private readonly log: Logger = silentLogger,
  ) {
    this.lock = new WriterLock(`${location}.lock`);
  }

  async open(recentLimit: number): Promise<OpenedChain> {
    await this.close();
    try {
      await mkdir(dirname(this.location), { recursive: true });
    } catch (err) {
      throw new CallsentryError('AUDIT_STORAGE', `cannot create the folder of the audit log ${this.location}: ${(err as Error).message}`, { retriable: true, cause: err });
    }
    this.lock.acquire();
    try {
      // 'a+' creates the file and makes every write an append
      this.fh = await open(this.location, 'a+', 0o640);
    } catch (err) {
      throw new CallsentryError('AUDIT_STORAGE', `cannot open the audit log ${this.location}: ${(err as Error).message}`, { retriable: true, cause: err });
    }
    const verifier = new ChainVerifier({ sequence: GENESIS.nextSequence, hashPrev: GENESIS.lastHash });
    const recent: AuditEntry[] = [];
    for await (const line of readLines(this.location)) {
      let value: unknown;
      try {
        value = JSON.parse(line.text);
      } catch {
        if (!line.terminated) {
          // a crash while appending: that batch was never acknowledged, so its offsets were not committed either
          this.log.warn({ file: this.location, line: line.number, bytes: Buffer.byteLength(line.text) }, 'audit log: torn last line from an interrupted append removed');
          await truncate(this.location, line.start);
          break;
        }
        throw broken(this.location, verifier.count, line.number, 'the line is not JSON');
      }
      const br = verifier.push(value, line.number);
      if (br) throw broken(this.location, br.sequence, br.line, br.why);
      recent.push(value as AuditEntry);
      if (recent.length > recentLimit) recent.shift();
      if (!line.terminated) await this.fh.write('\n');
    }
    return { head: verifier.last ? headAfter(verifier.last) : GENESIS, recent };
  }

  async append(entries: AuditEntry[]): Promise<void> {
    if (!this.fh) throw new CallsentryError('AUDIT_STORAGE', `audit log ${this.location} is not open`);
    if (entries.length === 0) return;
    try {
      await this.fh.write(entries.map((e) => canonicalJson(e) + '\n').join(''));
      await this.fh.sync();
    } catch (err) {
      throw new CallsentryError('AUDIT_STORAGE', `cannot append to the audit log ${this.location}: ${(err as Error).message}`, { retriable: true, cause: err });
    }
  }

  async *entries(): AsyncIterable<AuditEntry> {
    // a last line without its newline is an append in progress (or torn): not yet part of the log
    for await (const line of readLines(this.location)) {
      if (!line.terminated) break;
      try {
        yield JSON.parse(line.text) as AuditEntry;
      } catch {
        throw broken(this.location, NaN, line.number, 'the line is not JSON');
      }
    }
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close();
    this.lock.release();
  }
}

function broken(file: string, sequence: number, line: number, why: string): CallsentryError {
  return new CallsentryError(
    'AUDIT_CHAIN_BROKEN',
    `the audit log ${file} is broken at ${Number.isNaN(sequence) ? '' : `entry ${sequence} `}(line ${line}): ${why}. Refusing to append to it: keep the file for investigation (callsentry audit verify ${file}) and point audit.log_file at a new file`,
    { context: { file, sequence, line } },
  );
}
