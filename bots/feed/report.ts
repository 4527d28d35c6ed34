/**
 * Bad lines of one read, told where they are: the first few are logged one by one with the
 * feed name and line number, the rest only counted, and the lobby gets one summary — a feed
 * whose format changed must not flood the log with a million warnings.
 */
import type { Logger } from "pino";

const LOG_FIRST = 10;

export interface ReportSink {
  log: Logger;
  count(name: string, n?: number): void;
  warn(message: string): void;
}

export class ReadReport {
  bad = 0;
  /** Records none of whose mapped fields had a value. */
  empty = 0;
  records = 0;
  /** Line of the last record read, to say where a broken body stopped. */
  lastLine = 0;
  first: string | undefined;

  constructor(
    readonly feed: string,
    readonly unit: string,
    private readonly sink: ReportSink,
    /** A file name when reading files (several per read), for messages. */
    public file?: string,
  ) {}

  /** Where a line is, in words: `feed x: data.csv line 3`. */
  where(line: number): string {
    return `feed ${this.feed}: ${this.file ? `${this.file} ` : ""}${this.unit} ${line}`;
  }

  readonly badRecord = (line: number, message: string): void => {
    this.bad += 1;
    const text = `${this.where(line)}: ${message}`;
    this.first ??= text;
    this.sink.count("skipped lines");
    this.sink.count("errors");
    if (this.bad <= LOG_FIRST) this.sink.log.warn({ feed: this.feed, line }, `${text}; skipped`);
    else if (this.bad === LOG_FIRST + 1) this.sink.log.warn({ feed: this.feed }, `feed ${this.feed}: more bad ${this.unit}s; counting them only`);
  };

  /** After a complete read: tell the lobby about skipped lines; throw when nothing was usable. */
  finish(): void {
    if (this.empty > 0) this.sink.count("empty records", this.empty);
    if (this.records === 0 && this.empty > 0) {
      throw new Error(
        `feed ${this.feed}: none of the mapped fields has a value in any of ${this.empty} ${this.unit}s; have the columns changed?`,
      );
    }
    if (this.bad === 0) return;
    const what = `${this.bad} bad ${this.unit}${this.bad === 1 ? "" : "s"} skipped (first: ${this.first ?? "?"})`;
    if (this.records === 0) {
      // Every line bad is a changed format or an error page, not data: keep the old state.
      throw new Error(`feed ${this.feed}: no usable ${this.unit}; ${what}; has the format changed?`);
    }
    this.sink.warn(`feed ${this.feed}: ${what}`);
  }
}
