/** D1 access for `email_tokens`: single-use, hashed mail link tokens (ADR 0014). */
import { and, eq, gt, isNull } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { type EmailTokenRow, emailTokens } from "../../db/schema.ts";

export type TokenPurpose = EmailTokenRow["purpose"];

export class EmailTokensRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  async create(row: typeof emailTokens.$inferInsert): Promise<void> {
    await this.db.insert(emailTokens).values(row).run();
  }

  /** Marks the token used if it is live — one atomic update, so a link works exactly once. */
  async consume(tokenHash: string, purpose: TokenPurpose, now: number): Promise<EmailTokenRow | undefined> {
    const [row] = await this.db
      .update(emailTokens)
      .set({ usedAt: now })
      .where(
        and(
          eq(emailTokens.tokenHash, tokenHash),
          eq(emailTokens.purpose, purpose),
          isNull(emailTokens.usedAt),
          gt(emailTokens.expiresAt, now),
        ),
      )
      .returning()
      .all();
    return row;
  }

  async find(tokenHash: string): Promise<EmailTokenRow | undefined> {
    return this.db.select().from(emailTokens).where(eq(emailTokens.tokenHash, tokenHash)).get();
  }

  /** Every other live token of that purpose dies with the one used. */
  async useAll(userId: string, purpose: TokenPurpose, now: number): Promise<void> {
    await this.db
      .update(emailTokens)
      .set({ usedAt: now })
      .where(
        and(eq(emailTokens.userId, userId), eq(emailTokens.purpose, purpose), isNull(emailTokens.usedAt)),
      )
      .run();
  }
}
