/** A mailbox as written in a header: display name (decoded, may be empty) and address. */
export interface Address {
  name: string;
  address: string;
}
