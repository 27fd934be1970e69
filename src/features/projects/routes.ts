import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Envelope, ListEnvelope, NoContent, ok, okList } from "../../platform/envelope.js";
import type { FeatureRoutes } from "../../platform/feature.js";
import {
  CreateProjectBody,
  ListProjectsQuery,
  ProjectParams,
  ProjectSchema,
  UpdateProjectBody,
} from "./schemas.js";
import { createProjectService } from "./service.js";

export const projectRoutes: FeatureRoutes = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const projects = createProjectService(deps);
  const tags = ["projects"];

  app.get(
    "/projects",
    {
      config: { access: "read:projects" },
      schema: {
        tags,
        operationId: "projects.list",
        summary: "List projects, newest first unless sorted otherwise",
        querystring: ListProjectsQuery,
        response: { 200: ListEnvelope(ProjectSchema) },
      },
    },
    async (request) => {
      const { items, pagination } = await projects.list(request.org, request.query);
      return okList(request, items, pagination);
    },
  );

  app.get(
    "/projects/:id",
    {
      config: { access: "read:projects" },
      schema: {
        tags,
        operationId: "projects.retrieve",
        summary: "Get a project",
        params: ProjectParams,
        response: { 200: Envelope(ProjectSchema) },
      },
    },
    async (request) => ok(request, await projects.get(request.org, request.params.id)),
  );

  app.post(
    "/projects",
    {
      config: { access: "write:projects" },
      schema: {
        tags,
        operationId: "projects.create",
        summary: "Create a project",
        description:
          "The name must be unique in the organization, ignoring case (409 `duplicate_name`); `client_id` " +
          "must be a client of the organization. `currency` is the organization's (`GET /v1/settings`).",
        body: CreateProjectBody,
        response: { 201: Envelope(ProjectSchema) },
      },
    },
    async (request, reply) => {
      const project = await projects.create(request.org, request.principal, request.body);
      reply.status(201);
      return ok(request, project);
    },
  );

  // PUT takes a partial body as PATCH does: the reference docs update with PUT and only the changes.
  app.route({
    method: ["PUT", "PATCH"],
    url: "/projects/:id",
    config: { access: "write:projects" },
    schema: {
      tags,
      operationId: "projects.update",
      summary: "Update a project: only the fields given change",
      params: ProjectParams,
      body: UpdateProjectBody,
      response: { 200: Envelope(ProjectSchema) },
    },
    handler: async (request) =>
      ok(request, await projects.update(request.org, request.principal, request.params.id, request.body)),
  });

  app.delete(
    "/projects/:id",
    {
      config: { access: "delete:projects" },
      schema: {
        tags,
        operationId: "projects.delete",
        summary: "Delete a project that no task or time entry refers to",
        description:
          "A project with tasks or time entries is a 409 `in_use`; archive it instead (`status: archived`).",
        params: ProjectParams,
        response: { 204: NoContent("Deleted") },
      },
    },
    async (request, reply) => {
      await projects.remove(request.org, request.principal, request.params.id);
      return reply.status(204).send();
    },
  );
};
