import type { Knex } from 'knex';
import { caseSensitive, isSqlite, tableOptions } from '../dialect.ts';

// Customers, their tokens (sessions, email verification, QQ bind, password reset — one table, told
// apart by `kind`, stored only as SHA-256 hashes), QQ bindings, and the outbox of SMS and mails the
// message job sends. Times are epoch ms, like the rest of the schema.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    // unique without regard to case: 'Alice' and 'alice' are one account (MySQL's *_ci collation
    // already compares so; SQLite needs NOCASE)
    // (knex drops .collate() on SQLite, hence the type written out)
    if (isSqlite(knex)) t.specificType('username', 'varchar(20) COLLATE NOCASE').notNullable();
    else t.string('username', 20).notNullable();
    t.string('password_hash', 255).notNullable();
    t.string('mobile', 11).notNullable();
    t.string('email', 254).nullable();
    t.boolean('email_active').notNullable().defaultTo(false);
    t.integer('default_address_id').unsigned().nullable();
    t.boolean('is_active').notNullable().defaultTo(true);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.unique(['username'], { indexName: 'users_username_unique' });
    t.unique(['mobile'], { indexName: 'users_mobile_unique' });
    tableOptions(knex, t);
  });
  await knex.schema.createTable('auth_tokens', (t) => {
    t.bigIncrements('id');
    t.string('kind', 3).notNullable(); // TOKEN_KINDS code: 'ses', 'eml' …
    caseSensitive(knex, t.string('token_hash', 64).notNullable());
    t.integer('user_id').unsigned().nullable().references('id').inTable('users').onDelete('CASCADE');
    // what the token is about besides its user: the address an email token verifies, the QQ openid a bind token binds
    t.string('subject', 254).nullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('last_used_at').notNullable();
    t.bigInteger('created_at').notNullable();
    t.unique(['token_hash'], { indexName: 'auth_tokens_hash_unique' });
    t.index(['user_id', 'kind'], 'auth_tokens_user_kind');
    t.index(['expires_at'], 'auth_tokens_expires');
    tableOptions(knex, t);
  });
  await knex.schema.createTable('oauth_qq_users', (t) => {
    t.increments('id');
    caseSensitive(knex, t.string('openid', 64).notNullable());
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.bigInteger('created_at').notNullable();
    t.unique(['openid'], { indexName: 'oauth_qq_users_openid_unique' });
    t.index(['user_id'], 'oauth_qq_users_user');
    tableOptions(knex, t);
  });
  await knex.schema.createTable('outgoing_messages', (t) => {
    t.bigIncrements('id');
    t.string('channel', 8).notNullable(); // 'sms' | 'mail'
    t.string('recipient', 254).notNullable();
    t.text('payload').nullable(); // JSON; cleared once sent (it may hold a code)
    t.string('status', 8).notNullable().defaultTo('pending'); // pending | sending | sent | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('next_attempt_at').notNullable();
    t.text('last_error').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('sent_at').nullable();
    t.index(['status', 'next_attempt_at'], 'outgoing_messages_due');
    tableOptions(knex, t);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('outgoing_messages');
  await knex.schema.dropTableIfExists('oauth_qq_users');
  await knex.schema.dropTableIfExists('auth_tokens');
  await knex.schema.dropTableIfExists('users');
}
