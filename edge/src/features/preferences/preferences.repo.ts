/** D1 access for `user_preferences`: one row per user who changed something; none = defaults. */
import {
  DEFAULT_PREFERENCES,
  type PreferencesDto,
  type UpdatePreferencesBody,
  type Visibility,
} from "@streamline/contracts";
import { eq } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { type UserPreferencesRow, userPreferences } from "../../db/schema.ts";

const toDto = (row: UserPreferencesRow | undefined): PreferencesDto =>
  row
    ? {
        defaultVisibility: row.defaultVisibility,
        autoplay: row.autoplay,
        emailNotifications: row.emailNotifications,
        theme: row.theme,
        historyPaused: row.historyPaused,
      }
    : { ...DEFAULT_PREFERENCES };

export class PreferencesRepo {
  private readonly db: Database;
  constructor(db: Database) {
    this.db = db;
  }

  async get(userId: string): Promise<PreferencesDto> {
    return toDto(
      await this.db.select().from(userPreferences).where(eq(userPreferences.userId, userId)).get(),
    );
  }

  async defaultVisibility(userId: string): Promise<Visibility> {
    const row = await this.db
      .select({ v: userPreferences.defaultVisibility })
      .from(userPreferences)
      .where(eq(userPreferences.userId, userId))
      .get();
    return row?.v ?? DEFAULT_PREFERENCES.defaultVisibility;
  }

  /**
   * Writes only the fields sent, in one upsert: a first change creates the row from the
   * defaults, so two racing partial updates never reset each other's fields.
   */
  async update(userId: string, patch: UpdatePreferencesBody, now = Date.now()): Promise<PreferencesDto> {
    const row = await this.db
      .insert(userPreferences)
      .values({ ...DEFAULT_PREFERENCES, ...patch, userId, updatedAt: now })
      .onConflictDoUpdate({ target: userPreferences.userId, set: { ...patch, updatedAt: now } })
      .returning()
      .get();
    return toDto(row);
  }
}
