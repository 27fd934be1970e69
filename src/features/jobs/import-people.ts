import { ConflictError, ValidationError } from "../../platform/errors.js";
import type { OrgContext } from "../../platform/tenancy.js";
import type { ImportStore } from "./import-store.js";
import type { SourcePerson } from "./sources/index.js";

/** How a file names people: e-mails, and where a row has none, full names. */
export const spacedName = (name: string) => name.trim().replace(/\s+/g, " ");

function nameOf(person: SourcePerson): string | undefined {
  const name = person.name ?? [person.firstName, person.lastName].filter(Boolean).join(" ");
  return name ? spacedName(name) : undefined;
}

/** The texts of a file's people that `match` will need lower-cased. */
export const personTexts = (person: SourcePerson) =>
  [person.email, nameOf(person)].filter((text): text is string => text !== undefined);

/**
 * The organization's members by lower-cased e-mail and name. Another product's export is matched
 * to active members only (a deactivated member takes no new time); Voltasis's own export names its
 * users by e-mail, as POST /v1/time-entries takes any member's id.
 */
export async function memberIndex(store: ImportStore, ctx: OrgContext, lower: (text: string) => string) {
  const members = await store.members(ctx);
  const byEmail = new Map(members.map((member) => [member.email, member]));
  const byName = new Map<string, string[]>();
  for (const member of members.filter((m) => m.active)) {
    byName.set(member.name, [...(byName.get(member.name) ?? []), member.id]);
  }

  return {
    /** Voltasis's `user_email`: any member's. */
    byEmail(email: string): string | undefined {
      return byEmail.get(lower(email))?.id;
    },

    /** A foreign row's person among active members; undefined when nobody matches. */
    match(person: SourcePerson): string | undefined {
      if (person.email) {
        const member = byEmail.get(lower(person.email));
        return member?.active ? member.id : undefined;
      }
      const name = nameOf(person);
      if (!name) return undefined;
      const ids = byName.get(lower(name)) ?? [];
      if (ids.length > 1) {
        throw new ConflictError(
          `${ids.length} active members are named "${name}": give the rows e-mails, or import them one by one`,
          "ambiguous",
          { field: "person" },
        );
      }
      return ids[0];
    },

    /** The row error for a person who is not a member, saying how the row names them. */
    unknown(person: SourcePerson) {
      const name = nameOf(person);
      const asMe = 'or import with unknown_people "import_as_me" to make the time yours';
      const message = person.email
        ? `No active member with e-mail ${person.email}: invite them first, ${asMe}`
        : name
          ? `No active member named "${name}": invite them first, ${asMe}`
          : `The row names no person: ${asMe}`;
      return new ValidationError("person", message, "not_found");
    },
  };
}

export type MemberIndex = Awaited<ReturnType<typeof memberIndex>>;
