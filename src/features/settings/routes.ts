import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Envelope, ok } from "../../platform/envelope.js";
import type { FeatureRoutes } from "../../platform/feature.js";
import {
  MemberRateParams,
  MemberRateSchema,
  SettingsSchema,
  UpdateMemberRateBody,
  UpdateSettingsBody,
} from "./schemas.js";
import { createSettingsService } from "./service.js";

export const settingsRoutes: FeatureRoutes = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const settings = createSettingsService(deps);
  const tags = ["settings"];

  app.get(
    "/settings",
    {
      config: { access: "read:settings" },
      schema: {
        tags,
        operationId: "settings.retrieve",
        summary: "The organization's settings: time zone, currency, rates, rounding, lock date, overlaps",
        response: { 200: Envelope(SettingsSchema) },
      },
    },
    async (request) => ok(request, await settings.get(request.org)),
  );

  app.patch(
    "/settings",
    {
      config: { access: "write:settings" },
      schema: {
        tags,
        operationId: "settings.update",
        summary: "Change some settings (owners and admins)",
        description:
          "Only the fields sent change. A new `lock_date` makes every entry starting before it read-only; " +
          "a new `default_hourly_rate` applies to entries written from now on (entries keep the rate they " +
          "were written with).",
        body: UpdateSettingsBody,
        response: { 200: Envelope(SettingsSchema) },
      },
    },
    async (request) => ok(request, await settings.update(request.org, request.principal, request.body)),
  );

  app.patch(
    "/users/:id/rate",
    {
      config: { access: "write:users" },
      schema: {
        tags: ["users"],
        operationId: "users.setRate",
        summary: "Set a member's hourly rate (owners and admins)",
        description:
          "Entry rates follow this precedence: the entry's `hourly_rate`, else its project's, else this " +
          "member rate, else the organization's `default_hourly_rate`. The rate is fixed when an entry is " +
          "written, so a change applies to entries written from now on.",
        params: MemberRateParams,
        body: UpdateMemberRateBody,
        response: { 200: Envelope(MemberRateSchema) },
      },
    },
    async (request) =>
      ok(
        request,
        await settings.setMemberRate(
          request.org,
          request.principal,
          request.params.id,
          request.body.hourly_rate,
        ),
      ),
  );
};
