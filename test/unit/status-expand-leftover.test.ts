import { describe, it, expect } from 'vitest';
import { expandLine } from '../../src/operations/statusNotes.js';

// What status says of the new column an interrupted expand-and-contract left (a type change's safe form).
describe("status: an interrupted expand's column and trigger", () => {
  it('owned by a stopped safe form: run --rewrite completes it', () => {
    expect(
      expandLine({
        table: 'Account',
        column: 'balance__citadel_new',
        trigger: 'zz_Account_balance__citadel_sync',
        rewrite: '20250101000000_bigint',
      }),
    ).toBe(
      'column Account.balance__citadel_new and its trigger zz_Account_balance__citadel_sync are left by the interrupted safe form of 20250101000000_bigint: `citadel-migrate run --rewrite` completes it (until then every write to Account also fills that column)',
    );
  });

  it('owned by no pending migration: the statements that remove it, quoted, the function named without zz_', () => {
    expect(
      expandLine({
        table: 'shop.Account',
        column: 'balance__citadel_new',
        trigger: 'zz_Account_balance__citadel_sync',
      }),
    ).toBe(
      'column shop.Account.balance__citadel_new and its trigger zz_Account_balance__citadel_sync are left by an interrupted safe form of a type change that no pending migration resumes: remove them with DROP TRIGGER "zz_Account_balance__citadel_sync" ON "shop"."Account"; DROP FUNCTION "shop"."Account_balance__citadel_sync"(); ALTER TABLE "shop"."Account" DROP COLUMN "balance__citadel_new";',
    );
    expect(expandLine({ table: 'Account', column: 'balance__citadel_new', trigger: null })).toBe(
      'column Account.balance__citadel_new is left by an interrupted safe form of a type change that no pending migration resumes: remove it with ALTER TABLE "Account" DROP COLUMN "balance__citadel_new";',
    );
  });
});
