/**
 * Bad lines of one read, told where they are: the first few are logged one by one with the
 * feed name and line number, the rest only counted, and the lobby gets one summary — a feed
 * whose format changed must not flood the log with a million warnings. Each bad record with its
 * text goes to the instance's dead letters.
 */
import type { Logger } from "pino";
import type { RejectedRecord } from "../../core/index.js";

const LOG_FIRST = 10;

export interface ReportSink {
  log: Logger;
  count(name: string, n?: number): void;
  warn(message: string): void;
  /** The dead letters (a bot's context has it). */
  reject?(record: RejectedRecord): void;
}

export class ReadReport {
  bad = 0;
  /** Records none of whose mapped fields had a value. */
  empty = 0;
  records = 0;
  /** Line of the last record read, to say where a broken body stopped. */
  lastLine = 0;
  /** The bad line with the lowest number (parse errors of a chunk are told before mapping
   *  errors of the same chunk). */
  first: string | undefined;
  #firstLine = Infinity;

  constructor(
    readonly feed: string,
    readonly unit: string,
    private readonly sink: ReportSink,
    /** A file name when reading files (several per read), for messages. */
    public file?: string,
  ) {}

  /** The feed, and the file when reading files. */
  get label(): string {
    return `feed ${this.feed}${this.file ? ` (${this.file})` : ""}`;
  }

  /** Where a line is, in words: `feed x: data.csv line 3`. */
  where(line: number): string {
    return `feed ${this.feed}: ${this.file ? `${this.file} ` : ""}${this.unit} ${line}`;
  }

  readonly badRecord = (line: number, message: string, record?: string): void => {
    this.bad += 1;
    const where = this.where(line);
    if (record !== undefined) this.sink.reject?.({ where, text: record, reason: message });
    const text = `${where}: ${message}`;
    if (line < this.#firstLine) [this.first, this.#firstLine] = [text, line];
    this.sink.count("skipped lines");
    this.sink.count("errors");
    if (this.bad <= LOG_FIRST) this.sink.log.warn({ feed: this.feed, line }, `${text}; skipped`);
    else if (this.bad === LOG_FIRST + 1)
      this.sink.log.warn(
        { feed: this.feed },
        `feed ${this.feed}: more bad ${this.unit}s; counting them only`,
      );
  };

  /** After a complete read: tell the lobby about skipped lines; throw when nothing was usable. */
  finish(): void {
    if (this.empty > 0) this.sink.count("empty records", this.empty);
    if (this.records === 0 && this.empty > 0) {
      throw new Error(
        `${this.label}: none of the mapped fields has a value in any of ${this.empty} ${this.unit}s; have the columns changed?`,
      );
    }
    if (this.records === 0 && this.bad > 0) {
      // Every line bad is a changed format or an error page, not data: keep the old state.
      throw new Error(
        `${this.label}: no usable ${this.unit}; ${this.badSummary()}; has the format changed?`,
      );
    }
    this.warnBad();
  }

  /** Tell the lobby how many lines were skipped, if any. */
  warnBad(): void {
    if (this.bad > 0) this.sink.warn(`${this.label}: ${this.badSummary()}`);
  }

  badSummary(): string {
    return `${this.bad} bad ${this.unit}${this.bad === 1 ? "" : "s"} skipped (first: ${this.first ?? "?"})`;
  }
}
