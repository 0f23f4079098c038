/** Bad selection input (option value); `option` names the CLI option it came from. */
export class PartitionFilterError extends Error {
  readonly code: string;
  readonly option: string | undefined;
  /** The message as asbackup words it, without the "(option …)" suffix. */
  readonly text: string;
  constructor(code: string, text: string, option?: string) {
    super(option ? `${text} (option ${option})` : text);
    this.name = 'PartitionFilterError';
    this.code = code;
    this.option = option;
    this.text = text;
  }
}
