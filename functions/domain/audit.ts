import { createHash } from 'node:crypto';
import { canonicalize } from 'json-canonicalize';

/** One entry of the admin audit log (SPEC.md "Personal data and audit"). */
export interface AuditEntry {
  seq: number;
  at: string;
  /** `admin:<email>` (read from Cognito on each admin write; `admin:<username>` if it could not be), docs/decisions.md 2026-12-02. */
  actor: string;
  /** e.g. `order.refund`, `product.update`, `customer.erase`. */
  action: string;
  /** What was acted on, as `<kind>:<id>`: `order:<id>`, `product:<sku>`, `customer:<userId>`. */
  target: string;
  /** Ids, amounts and changed field names only: never personal data (erasure must never touch this log). */
  details: Record<string, unknown>;
  hash: string;
}

/** The "previous hash" of entry 1. */
export const GENESIS_HASH = '0'.repeat(64);

/** What the hash covers: every field but the hash, as RFC 8785 canonical JSON (key order and number format fixed). */
export function canonicalEntry(entry: Omit<AuditEntry, 'hash'>): string {
  const { seq, at, actor, action, target, details } = entry;
  return canonicalize({ seq, at, actor, action, target, details });
}

/** hash = sha256(previous hash + canonical entry), hex. */
export function entryHash(previousHash: string, entry: Omit<AuditEntry, 'hash'>): string {
  return createHash('sha256').update(previousHash + canonicalEntry(entry), 'utf8').digest('hex');
}

export interface ChainCheck {
  valid: boolean;
  entries: number;
  firstInvalidSeq?: number;
}

/**
 * Walks entries in seq order (fed page by page): seq must run 1, 2, 3… without gaps and every hash must be
 * recomputable from the one before. The first entry that breaks either rule is reported; a missing entry is
 * reported by the seq that should have been there.
 */
export class ChainVerifier {
  private previous = GENESIS_HASH;
  private expected = 1;
  private count = 0;
  private firstInvalid: number | undefined;

  add(entry: AuditEntry): void {
    this.count++;
    if (this.firstInvalid !== undefined) return;
    if (entry.seq !== this.expected) {
      this.firstInvalid = Math.min(this.expected, Number.isInteger(entry.seq) ? entry.seq : this.expected);
      return;
    }
    const { hash, ...rest } = entry;
    if (typeof hash !== 'string' || entryHash(this.previous, rest) !== hash) {
      this.firstInvalid = entry.seq;
      return;
    }
    this.previous = hash;
    this.expected++;
  }

  result(): ChainCheck {
    return this.firstInvalid === undefined
      ? { valid: true, entries: this.count }
      : { valid: false, entries: this.count, firstInvalidSeq: this.firstInvalid };
  }
}
