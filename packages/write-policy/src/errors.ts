/** A restore option or server answer that stops the run; `option` names the CLI option at fault. */
export class WritePolicyError extends Error {
  readonly code: string;
  readonly option: string | undefined;
  /** The message as asrestore words it, without the "(option …)" suffix. */
  readonly text: string;
  constructor(code: string, text: string, option?: string) {
    super(option ? `${text} (option ${option})` : text);
    this.name = 'WritePolicyError';
    this.code = code;
    this.option = option;
    this.text = text;
  }
}
