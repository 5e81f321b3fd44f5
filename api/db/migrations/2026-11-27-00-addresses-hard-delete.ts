import type { Knex } from 'knex';

// Deleting an address now deletes its row (AddressService.remove). The soft delete kept every
// deleted address — a name, a mobile number, a street — for ever, for orders that never needed it:
// an order holds its own copy of the address it was sent to, and orders.address_id (no foreign key)
// only records which address that copy came from, possibly deleted since. This removes the rows
// deleted before. `is_deleted` stays for a release (a process of the previous one may still set it
// during a rolling deploy; every read still skips such rows).
export async function up(knex: Knex): Promise<void> {
  const deleted = knex('addresses').where('is_deleted', true).select('id');
  // never left pointing at a deleted address by this code, but by an older release perhaps
  await knex('users').whereIn('default_address_id', deleted).update({ default_address_id: null });
  await knex('addresses').where('is_deleted', true).del();
}

/** The deleted rows are gone; nothing to undo. */
export async function down(): Promise<void> {}
