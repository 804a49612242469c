import type { Address, MessageFlag } from "@mailpen/shared";

/** What each message flag means, for badges and their titles. */
export const flagLabels: Record<MessageFlag, { label: string; title: string }> = {
  "bare-lf": { label: "bare LF", title: "LF without CR in DATA (RFC 5321 section 2.3.8)" },
  "bare-cr": { label: "bare CR", title: "CR without LF in DATA (RFC 5321 section 2.3.8)" },
  "8bit-without-8bitmime": {
    label: "8-bit",
    title: "Octets >= 0x80 although MAIL FROM did not declare BODY=8BITMIME",
  },
  nul: { label: "NUL", title: "NUL octets in the message" },
  "long-line": { label: "long line", title: "A line over 998 octets (RFC 5322 section 2.1.1)" },
  smtputf8: { label: "SMTPUTF8", title: "The transaction declared SMTPUTF8" },
  "parse-error": { label: "parse error", title: "MIME parsing failed; the raw bytes are kept" },
};

/** "Name <address>" or the address alone. */
export function formatAddress(address: Address): string {
  return address.name ? `${address.name} <${address.address}>` : address.address;
}

/** The name when there is one, else the address: what a list row has room for. */
export function formatAddressShort(address: Address): string {
  return address.name || address.address;
}

export function formatAddressList(addresses: readonly Address[]): string {
  return addresses.map(formatAddressShort).join(", ");
}
