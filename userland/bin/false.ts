// false: do nothing, unsuccessfully.
export function main(_argv: string[]): number {
  return 1;
}
