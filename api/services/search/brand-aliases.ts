// A brand's aliases as the brands.aliases column holds them: one list, comma-separated so a member
// of staff can edit it as one line. Chinese commas and 、 are accepted too, since that is what a
// Chinese keyboard types.

const SEPARATOR = /[,，、;；\n]/;

export function parseAliases(text: string | null | undefined): string[] {
  return [...new Set((text ?? '').split(SEPARATOR).map((a) => a.trim()).filter(Boolean))];
}

export function formatAliases(aliases: readonly string[]): string {
  return parseAliases(aliases.join(',')).join(',');
}
