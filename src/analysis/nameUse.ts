// A name a statement uses, creates or drops, as the reference check and the implicit objects share it.
export type ObjectKind = 'relation' | 'type';

export interface NameUse {
  kind: ObjectKind;
  name: string;
  /** Byte offset of the reference in migration.sql (from the parser), for relations. */
  location?: number;
  /** The reference is schema-qualified (the location points at the schema). */
  qualified?: boolean;
}
