import { type Static, Type } from "@sinclair/typebox";
import { idPattern } from "../../platform/ids.js";

export const UserSchema = Type.Object(
  {
    id: Type.String({ pattern: idPattern("user"), examples: ["usr_01JD6V7W9Q3E4R5T6Y7U8I9O0P"] }),
    email: Type.String({ format: "email", examples: ["ada@example.com"] }),
    name: Type.String({ examples: ["Ada Lovelace"] }),
    created_at: Type.String({ format: "date-time" }),
  },
  { $id: "User", additionalProperties: false },
);
export type User = Static<typeof UserSchema>;

export const MEMBER_SCHEMAS = [UserSchema];
