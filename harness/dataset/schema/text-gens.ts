// Text that looks like what a real table holds, composed per row from pools: emails, person
// names, usernames, slugs, URLs. Composed values that must be unique carry the row number
// (anna.smith123@…), which keeps them realistic and distinct at once.
import type { ByteWriter } from '../../seed/byte-writer.ts';
import { RandomGen, skewed, writeBase36, writeHex } from './gen.ts';
import type { Pools } from './pools.ts';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const AT = 64;
const DOT = 46;
const HTTPS = b('https://');
const IMAGES = b('/images/');
const JPG = b('.jpg');

/** first.last[n]@domain; unique → the row number is always in it. */
export class EmailGen extends RandomGen {
  readonly maxBytes: number;
  readonly maxChars: number;
  override readonly unique: boolean;
  private readonly first: Buffer[];
  private readonly last: Buffer[];
  private readonly domains: Buffer[];
  constructor(seed: number, salt: number, pools: Pools, unique: boolean) {
    super(seed, salt);
    this.unique = unique;
    this.first = pools.bytes('emailFirst');
    this.last = pools.bytes('emailLast');
    this.domains = pools.bytes('emailDomain');
    const longest = (xs: Buffer[]) => xs.reduce((m, x) => Math.max(m, x.length), 0);
    this.maxBytes = longest(this.first) + longest(this.last) + longest(this.domains) + 20;
    this.maxChars = this.maxBytes;
  }
  write(w: ByteWriter, row: number): void {
    const r = this.rng(row);
    w.bytes(this.first[r.below(this.first.length)]!);
    w.byte(DOT);
    w.bytes(this.last[r.below(this.last.length)]!);
    if (this.unique) w.uint(row + 1);
    else if (r.float() < 0.3) w.uint(r.below(100));
    w.byte(AT);
    w.bytes(this.domains[skewed(r.float(), this.domains.length, 2)]!);
  }
}

/** Pool entries joined by a separator: "First Last", "annasmith", "word-word-word". */
export class JoinGen extends RandomGen {
  readonly maxBytes: number;
  readonly maxChars: number;
  override readonly unique: boolean;
  constructor(seed: number, salt: number, private readonly parts: Buffer[][], private readonly sep: number | null, unique: boolean) {
    super(seed, salt);
    this.unique = unique;
    this.maxBytes = parts.reduce((m, p) => m + p.reduce((x, e) => Math.max(x, e.length), 0) + 1, 0) + 12;
    // Pools may hold multi-byte characters; a character is at least one byte, so bytes bound chars.
    this.maxChars = this.maxBytes;
  }
  write(w: ByteWriter, row: number): void {
    const r = this.rng(row);
    for (let i = 0; i < this.parts.length; i++) {
      if (i && this.sep !== null) w.byte(this.sep);
      const p = this.parts[i]!;
      w.bytes(p[r.below(p.length)]!);
    }
    if (this.unique) {
      if (this.sep !== null) w.byte(this.sep);
      writeBase36(w, row + 1);
    }
  }
}

/** https://domain/path or an image URL on a CDN-like host. */
export class UrlGen extends RandomGen {
  readonly maxBytes: number;
  readonly maxChars: number;
  private readonly domains: Buffer[];
  private readonly paths: Buffer[];
  constructor(seed: number, salt: number, pools: Pools, private readonly image: boolean) {
    super(seed, salt);
    this.domains = pools.bytes('domain');
    this.paths = pools.bytes('urlPath');
    this.maxBytes = 8 + this.domains.reduce((m, x) => Math.max(m, x.length), 0) + 1 + this.paths.reduce((m, x) => Math.max(m, x.length), 0) + 20;
    this.maxChars = this.maxBytes;
  }
  write(w: ByteWriter, row: number): void {
    const r = this.rng(row);
    w.bytes(HTTPS);
    w.bytes(this.domains[skewed(r.float(), this.domains.length, 2)]!);
    if (this.image) {
      w.bytes(IMAGES);
      writeHex(w, r.next(), 8);
      w.bytes(JPG);
    } else {
      w.byte(47);
      w.bytes(this.paths[r.below(this.paths.length)]!);
    }
  }
}

/** Upper-case letters and digits, e.g. order numbers and codes. */
export class CodeGen extends RandomGen {
  readonly maxBytes: number;
  readonly maxChars: number;
  constructor(seed: number, salt: number, private readonly length: number) {
    super(seed, salt);
    this.maxBytes = length;
    this.maxChars = length;
  }
  write(w: ByteWriter, row: number): void {
    const r = this.rng(row);
    for (let i = 0; i < this.length; i++) {
      const c = r.below(36);
      w.byte(c < 10 ? 48 + c : 55 + c);
    }
  }
}

/** Lowercase words separated by spaces: tsvector input and tag-like text. */
export class WordsGen extends RandomGen {
  readonly maxBytes: number;
  readonly maxChars: number;
  constructor(seed: number, salt: number, private readonly words: Buffer[], private readonly min: number, private readonly max: number, private readonly sep = 32) {
    super(seed, salt);
    this.maxBytes = max * (words.reduce((m, x) => Math.max(m, x.length), 0) + 1);
    this.maxChars = this.maxBytes;
  }
  write(w: ByteWriter, row: number): void {
    const r = this.rng(row);
    const n = this.min + r.below(this.max - this.min + 1);
    for (let i = 0; i < n; i++) {
      if (i) w.byte(this.sep);
      w.bytes(this.words[r.below(this.words.length)]!);
    }
  }
}
