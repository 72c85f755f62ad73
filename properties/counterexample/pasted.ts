/**
 * A report as read back from pasted text (a mail, a review comment): what
 * it claims, each claim with the line it stands on, before anything is
 * decoded. paste-text.ts and paste-markdown.ts read the two report formats
 * into this; paste.ts decodes it as a counterexample file is decoded, and
 * paste-check.ts compares its claims with what the model does.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { MailLine } from './mail.ts';
import { clip } from './quote.ts';

/** A value with the line of the pasted text it was read from. */
export interface At<T> {
  readonly line: number;
  readonly value: T;
}

export interface PastedStep {
  readonly line: number;
  /** The call as printed, its wrapped lines joined. */
  readonly call: string;
  /** The `->` effects as printed (joined with '; ' by the report), or '' when the step has none. */
  readonly effects: string;
}

export interface PastedViolation {
  readonly line: number;
  readonly at: number;
  readonly invariant: string;
  readonly message: string;
}

export interface PastedReport {
  readonly kind: 'text' | 'markdown';
  /** The line of the report's heading, `dmacheck counterexample ID`. */
  readonly line: number;
  /** The id the heading claims. */
  readonly id: string;
  readonly title: string | undefined;
  /** The trace format version, when the report states it (reports before it did are version 1). */
  readonly version: At<number> | undefined;
  readonly design: At<string>;
  readonly invariant: At<string>;
  readonly violatesAt: At<number>;
  /** How it was found (`check` and `explore` say), as printed. */
  readonly found: string | undefined;
  /** The world the report names (JSON, checked as a file's `world` is), when not the design's own. */
  readonly world?: At<unknown>;
  readonly steps: ReadonlyArray<PastedStep>;
  /** The sentence stating the violation; undefined when the report has none (cut, or a warning instead). */
  readonly violation: PastedViolation | undefined;
}

export interface PasteError {
  readonly line: number;
  readonly message: string;
}

/** What stood on a line, for an error: quoted and bounded, or what was there instead. */
export const got = (l: MailLine | undefined): string =>
  l === undefined ? 'the end of the text' : l.text.trim() === '' ? 'an empty line' : `'${clip(l.text.trim(), 60)}'`;

export const expected = (what: string, l: MailLine | undefined, fallback: number): E.Either<PasteError, never> =>
  E.left({ line: l?.n ?? fallback, message: `expected ${what}, got ${got(l)}` });

/** Lines joined as a wrapped paragraph: one blank between them. */
export const joined = (parts: ReadonlyArray<string>): string => parts.map((p) => p.trim()).filter((p) => p !== '').join(' ');
