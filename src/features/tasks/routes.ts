import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Envelope, ListEnvelope, NoContent, ok, okList } from "../../platform/envelope.js";
import type { FeatureRoutes } from "../../platform/feature.js";
import { CreateTaskBody, ListTasksQuery, TaskParams, TaskSchema, UpdateTaskBody } from "./schemas.js";
import { createTaskService } from "./service.js";

export const taskRoutes: FeatureRoutes = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tasks = createTaskService(deps);
  const tags = ["tasks"];

  app.get(
    "/tasks",
    {
      config: { access: "read:tasks" },
      schema: {
        tags,
        operationId: "tasks.list",
        summary: "List tasks, newest first unless sorted otherwise",
        querystring: ListTasksQuery,
        response: { 200: ListEnvelope(TaskSchema) },
      },
    },
    async (request) => {
      const { items, pagination } = await tasks.list(request.org, request.query);
      return okList(request, items, pagination);
    },
  );

  app.get(
    "/tasks/:id",
    {
      config: { access: "read:tasks" },
      schema: {
        tags,
        operationId: "tasks.retrieve",
        summary: "Get a task",
        params: TaskParams,
        response: { 200: Envelope(TaskSchema) },
      },
    },
    async (request) => ok(request, await tasks.get(request.org, request.params.id)),
  );

  app.post(
    "/tasks",
    {
      config: { access: "write:tasks" },
      schema: {
        tags,
        operationId: "tasks.create",
        summary: "Create a task in a project",
        description:
          "`project_id` must be a project of the organization and `assignee_id` an active member of it " +
          "(400 naming the field otherwise).",
        body: CreateTaskBody,
        response: { 201: Envelope(TaskSchema) },
      },
    },
    async (request, reply) => {
      const task = await tasks.create(request.org, request.principal, request.body);
      reply.status(201);
      return ok(request, task);
    },
  );

  // PUT takes a partial body as PATCH does: the reference docs update with PUT and only the changes.
  app.route({
    method: ["PUT", "PATCH"],
    url: "/tasks/:id",
    config: { access: "write:tasks" },
    schema: {
      tags,
      operationId: "tasks.update",
      summary: "Update a task: only the fields given change",
      description: "Moving a task to another project while time entries are booked on it is a 409 `in_use`.",
      params: TaskParams,
      body: UpdateTaskBody,
      response: { 200: Envelope(TaskSchema) },
    },
    handler: async (request) =>
      ok(request, await tasks.update(request.org, request.principal, request.params.id, request.body)),
  });

  app.delete(
    "/tasks/:id",
    {
      config: { access: "delete:tasks" },
      schema: {
        tags,
        operationId: "tasks.delete",
        summary: "Delete a task that no time entry refers to",
        description: "A task with time entries is a 409 `in_use`; complete it instead (`status: completed`).",
        params: TaskParams,
        response: { 204: NoContent("Deleted") },
      },
    },
    async (request, reply) => {
      await tasks.remove(request.org, request.principal, request.params.id);
      return reply.status(204).send();
    },
  );
};
