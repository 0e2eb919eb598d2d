// Generators for the built-in value shapes: numbers, times, identifiers, network addresses,
// arrays, ranges. Text that should look real (names, emails…) lives in text-gens.ts.
import type { ByteWriter } from '../../seed/byte-writer.ts';
import { hash32 } from '../../seed/prng.ts';
import { RandomGen, writeDecimal, writeHex, writeInt, type Gen } from './gen.ts';
import { Permutation } from './permutation.ts';

/** Fixed window (not now()) so one seed renders the same bytes on any day. */
export const TIME_WINDOW = { startSec: Date.UTC(2019, 0, 1) / 1000, endSec: Date.UTC(2025, 0, 1) / 1000 } as const;
const SPAN = TIME_WINDOW.endSec - TIME_WINDOW.startSec;

/** start, start + step, … : identity, serial and integer keys. */
export class SequenceGen implements Gen {
  readonly maxBytes = 21;
  readonly maxChars = 21;
  readonly unique = true;
  constructor(
    private readonly start: number,
    private readonly step: number,
  ) {}
  value(row: number): number {
    return this.start + row * this.step;
  }
  write(w: ByteWriter, row: number): void {
    writeInt(w, this.start + row * this.step);
  }
}

/** Integers in [lo, hi], skewed towards lo when k > 1; `unique` walks a permutation of the range instead. */
export class IntGen extends RandomGen {
  readonly maxBytes = 21;
  readonly maxChars = 21;
  override readonly unique: boolean;
  private readonly perm?: Permutation;
  constructor(seed: number, salt: number, private readonly lo: number, private readonly hi: number, private readonly k = 1, uniqueRows = 0) {
    super(seed, salt);
    this.unique = uniqueRows > 0;
    if (this.unique) this.perm = new Permutation(hi - lo + 1, seed ^ salt);
  }
  value(row: number): number {
    if (this.perm) return this.lo + this.perm.at(row);
    const u = this.rng(row).float();
    return this.lo + Math.floor((this.hi - this.lo + 1) * (this.k === 1 ? u : u ** this.k));
  }
  write(w: ByteWriter, row: number): void {
    writeInt(w, this.value(row));
  }
}

/** Decimals in [lo, hi] units of 10^-scale, e.g. prices. */
export class DecimalGen extends RandomGen {
  readonly maxBytes = 40;
  readonly maxChars = 40;
  constructor(seed: number, salt: number, private readonly lo: number, private readonly hi: number, private readonly scale: number, private readonly k = 1) {
    super(seed, salt);
  }
  write(w: ByteWriter, row: number): void {
    const u = this.rng(row).float();
    writeDecimal(w, this.lo + Math.floor((this.hi - this.lo + 1) * (this.k === 1 ? u : u ** this.k)), this.scale);
  }
}

export class BoolGen extends RandomGen {
  readonly maxBytes = 1;
  readonly maxChars = 1;
  constructor(seed: number, salt: number, private readonly pTrue: number) {
    super(seed, salt);
  }
  write(w: ByteWriter, row: number): void {
    w.byte(this.rng(row).float() < this.pTrue ? 116 : 102);
  }
}

/** Anything that yields epoch seconds per row, so another column can be ordered after it. */
export interface TimeSource {
  seconds(row: number): number;
}

export type TimeFormat = 'timestamptz' | 'timestamp' | 'date';

const writeTime = (w: ByteWriter, sec: number, format: TimeFormat): void => {
  w.timestamp(sec);
  if (format === 'date') w.pos -= 12; // keep "YYYY-MM-DD"
  else if (format === 'timestamp') w.pos -= 3; // no "+00"
};

/** created_at-like: grows with the row number (ids are handed out over time), with jitter. */
export class CreatedTimeGen extends RandomGen implements TimeSource {
  readonly maxBytes = 22;
  readonly maxChars = 22;
  override readonly unique: boolean;
  private readonly step: number;
  /** `strict`: evenly spaced, no jitter, so every row gets a distinct time (a unique column). */
  constructor(seed: number, salt: number, private readonly rows: number, private readonly format: TimeFormat, private readonly lo = TIME_WINDOW.startSec, private readonly span = SPAN, strict = false) {
    super(seed, salt);
    this.unique = strict;
    const unit = format === 'date' ? 86_400 : 1;
    this.step = strict ? Math.max(1, Math.floor(span / Math.max(1, rows) / unit)) * unit : 0;
  }
  seconds(row: number): number {
    if (this.step) return this.lo + row * this.step;
    return this.lo + Math.floor(((row + this.rng(row).float()) * this.span) / Math.max(1, this.rows));
  }
  write(w: ByteWriter, row: number): void {
    writeTime(w, this.seconds(row), this.format);
  }
}

/** Uniform in [lo, hi) seconds. */
export class RandomTimeGen extends RandomGen implements TimeSource {
  readonly maxBytes = 22;
  readonly maxChars = 22;
  constructor(seed: number, salt: number, private readonly format: TimeFormat, private readonly lo = TIME_WINDOW.startSec, private readonly hi = TIME_WINDOW.endSec) {
    super(seed, salt);
  }
  seconds(row: number): number {
    return this.lo + Math.floor(this.rng(row).float() * (this.hi - this.lo));
  }
  write(w: ByteWriter, row: number): void {
    writeTime(w, this.seconds(row), this.format);
  }
}

/** After another time of the same row (updated ≥ created, ends_at > starts_at), within `maxDelta` seconds. */
export class AfterTimeGen extends RandomGen implements TimeSource {
  readonly maxBytes = 22;
  readonly maxChars = 22;
  constructor(seed: number, salt: number, private readonly base: TimeSource, private readonly format: TimeFormat, private readonly maxDelta: number, private readonly minDelta = 0) {
    super(seed, salt);
  }
  seconds(row: number): number {
    const u = this.rng(row).float();
    const from = this.base.seconds(row);
    // Squared: most changes come soon after, a long tail later; never past the renderable range.
    return Math.min(from + this.minDelta + Math.floor(u * u * this.maxDelta), Date.UTC(2099, 0, 1) / 1000);
  }
  write(w: ByteWriter, row: number): void {
    writeTime(w, this.seconds(row), this.format);
  }
}

export class TimeOfDayGen extends RandomGen {
  readonly maxBytes = 8;
  readonly maxChars = 8;
  write(w: ByteWriter, row: number): void {
    const s = this.rng(row).below(86_400);
    const two = (n: number) => {
      w.byte(48 + Math.floor(n / 10));
      w.byte(48 + (n % 10));
    };
    two(Math.floor(s / 3600));
    w.byte(58);
    two(Math.floor(s / 60) % 60);
    w.byte(58);
    two(s % 60);
  }
}

const SECONDS = Buffer.from(' seconds', 'latin1');
export class IntervalGen extends RandomGen {
  readonly maxBytes = 24;
  readonly maxChars = 24;
  constructor(seed: number, salt: number, private readonly maxSec = 30 * 86_400) {
    super(seed, salt);
  }
  write(w: ByteWriter, row: number): void {
    const u = this.rng(row).float();
    w.uint(Math.floor(u * u * this.maxSec));
    w.bytes(SECONDS);
  }
}

/** Random-looking UUIDs (version 4 layout); unique ones carry a bijection of the row in 48 bits. */
export class UuidGen extends RandomGen {
  readonly maxBytes = 36;
  readonly maxChars = 36;
  override readonly unique: boolean;
  private readonly perm?: Permutation;
  constructor(seed: number, salt: number, unique: boolean) {
    super(seed, salt);
    this.unique = unique;
    if (unique) this.perm = new Permutation(2 ** 48, seed ^ salt);
  }
  write(w: ByteWriter, row: number): void {
    const r = this.rng(row);
    let hi: number;
    let lo: number;
    if (this.perm) {
      const p = this.perm.at(row);
      hi = Math.floor(p / 65536);
      lo = p % 65536;
    } else {
      hi = r.next();
      lo = r.next() & 0xffff;
    }
    writeHex(w, hi, 8);
    w.byte(45);
    writeHex(w, lo, 4);
    w.byte(45);
    writeHex(w, 0x4000 | (r.next() & 0x0fff), 4);
    w.byte(45);
    writeHex(w, 0x8000 | (r.next() & 0x3fff), 4);
    w.byte(45);
    writeHex(w, r.next() & 0xffff, 4);
    writeHex(w, r.next(), 8);
  }
}

/** Lowercase hex of `nibbles` characters (tokens, hashes); unique ones start with a bijection of the row. */
export class HexGen extends RandomGen {
  readonly maxBytes: number;
  readonly maxChars: number;
  override readonly unique: boolean;
  private readonly perm?: Permutation;
  constructor(seed: number, salt: number, private readonly nibbles: number, unique: boolean, private readonly prefix?: Buffer) {
    super(seed, salt);
    this.maxBytes = nibbles + (prefix?.length ?? 0);
    this.maxChars = this.maxBytes;
    this.unique = unique && nibbles >= 12;
    if (this.unique) this.perm = new Permutation(2 ** 48, seed ^ salt);
  }
  write(w: ByteWriter, row: number): void {
    if (this.prefix) w.bytes(this.prefix);
    const r = this.rng(row);
    let left = this.nibbles;
    if (this.perm) {
      const p = this.perm.at(row);
      writeHex(w, Math.floor(p / 65536), 8);
      writeHex(w, p % 65536, 4);
      left -= 12;
    }
    for (; left >= 8; left -= 8) writeHex(w, r.next(), 8);
    if (left > 0) writeHex(w, r.next(), left);
  }
}

/** bytea in COPY text: the hex form \x… with its backslash escaped. */
export class ByteaGen extends HexGen {
  constructor(seed: number, salt: number, bytes: number) {
    super(seed, salt, bytes * 2, false, Buffer.from('\\\\x', 'latin1'));
  }
}

export class InetGen extends RandomGen {
  readonly maxBytes = 18;
  readonly maxChars = 18;
  constructor(seed: number, salt: number, private readonly network: boolean) {
    super(seed, salt);
  }
  write(w: ByteWriter, row: number): void {
    const v = this.rng(row).next();
    w.uint(1 + ((v >>> 24) % 223));
    w.byte(46);
    w.uint((v >>> 16) & 255);
    w.byte(46);
    w.uint((v >>> 8) & 255);
    w.byte(46);
    if (this.network) {
      w.uint(0);
      w.byte(47);
      w.uint(24);
    } else w.uint(v & 255);
  }
}

export class MacGen extends RandomGen {
  readonly maxBytes = 23;
  readonly maxChars = 23;
  constructor(seed: number, salt: number, private readonly octets: 6 | 8) {
    super(seed, salt);
  }
  write(w: ByteWriter, row: number): void {
    const r = this.rng(row);
    for (let i = 0; i < this.octets; i++) {
      if (i) w.byte(58);
      writeHex(w, r.next() & 255, 2);
    }
  }
}

export class BitGen extends RandomGen {
  readonly maxBytes: number;
  readonly maxChars: number;
  constructor(seed: number, salt: number, private readonly bits: number, private readonly varying: boolean) {
    super(seed, salt);
    this.maxBytes = bits;
    this.maxChars = bits;
  }
  write(w: ByteWriter, row: number): void {
    const r = this.rng(row);
    const n = this.varying ? 1 + r.below(this.bits) : this.bits;
    for (let i = 0; i < n; i++) w.byte(48 + (r.next() & 1));
  }
}

/** `{a,b,c}` of 0..max elements from `elem`, each quoted (elements must not hold " or \). */
export class ArrayGen extends RandomGen {
  readonly maxBytes: number;
  readonly maxChars: number;
  constructor(seed: number, salt: number, private readonly elem: Gen, private readonly min: number, private readonly max: number, private readonly quote: boolean) {
    super(seed, salt);
    this.maxBytes = 2 + max * (elem.maxBytes + 3);
    this.maxChars = this.maxBytes;
  }
  write(w: ByteWriter, row: number): void {
    const n = this.min + this.rng(row).below(this.max - this.min + 1);
    w.byte(123);
    for (let i = 0; i < n; i++) {
      if (i) w.byte(44);
      if (this.quote) w.byte(34);
      this.elem.write(w, hash32(row, i, this.salt) % 2 ** 31);
      if (this.quote) w.byte(34);
    }
    w.byte(125);
  }
}

/** `[lo,hi)` of a sub generator's two draws, ordered. */
export class RangeGen extends RandomGen {
  readonly maxBytes: number;
  readonly maxChars: number;
  constructor(seed: number, salt: number, private readonly lo: TimeSource | IntGen, private readonly format: TimeFormat | 'int') {
    super(seed, salt);
    this.maxBytes = 52;
    this.maxChars = 52;
  }
  write(w: ByteWriter, row: number): void {
    const a = 'seconds' in this.lo ? this.lo.seconds(row) : this.lo.value(row);
    const len = 1 + this.rng(row).below(this.format === 'int' ? 100 : 7 * 86_400);
    w.byte(91);
    if (this.format !== 'int') w.byte(34);
    this.format === 'int' ? writeInt(w, a) : writeTime(w, a, this.format);
    if (this.format !== 'int') w.byte(34);
    w.byte(44);
    if (this.format !== 'int') w.byte(34);
    this.format === 'int' ? writeInt(w, a + len) : writeTime(w, Math.min(a + len, Date.UTC(2099, 0, 1) / 1000), this.format);
    if (this.format !== 'int') w.byte(34);
    w.byte(41);
  }
}

/** Inside one of several [from, to) spans, picked in proportion to their length (range partitions). */
export class SpansGen extends RandomGen implements TimeSource {
  readonly maxBytes = 22;
  readonly maxChars = 22;
  private readonly spans: [number, number][];
  private readonly total: number;
  constructor(seed: number, salt: number, spans: [number, number][], private readonly format: TimeFormat | 'int', openWidth: number) {
    super(seed, salt);
    // Open ends (MINVALUE / MAXVALUE) get a finite width next to their bound.
    this.spans = spans.map(([lo, hi]) => [Number.isFinite(lo) ? lo : hi - openWidth, Number.isFinite(hi) ? hi : lo + openWidth] as [number, number]).filter(([lo, hi]) => hi > lo);
    this.total = this.spans.reduce((s, [lo, hi]) => s + (hi - lo), 0);
  }
  seconds(row: number): number {
    const r = this.rng(row);
    let at = r.float() * this.total;
    for (const [lo, hi] of this.spans) {
      if (at < hi - lo) return Math.floor(lo + at);
      at -= hi - lo;
    }
    return Math.floor(this.spans.at(-1)![0]);
  }
  write(w: ByteWriter, row: number): void {
    if (this.format === 'int') writeInt(w, this.seconds(row));
    else writeTime(w, this.seconds(row), this.format);
  }
}
