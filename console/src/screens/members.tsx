import { useQuery } from "@tanstack/react-query";
import type { InvitationWithToken, Member } from "@voltasis/sdk";
import { useState } from "react";
import { all, liveApi } from "../api/client";
import { fieldError, formError, problemOf } from "../api/errors";
import { Empty, Loading } from "../ui/empty";
import { Field, FormError } from "../ui/field";
import { formatDateTime, fromMinorUnits, toMinorUnits } from "../ui/format";
import { Page } from "../ui/page";
import { SecretOnce } from "../ui/secret";
import { TableWrap } from "../ui/table-wrap";
import { useChange } from "../ui/use-change";
import { text, useSubmit } from "../ui/use-submit";

const ROLES = ["member", "manager", "admin", "owner"] as const;
type Role = (typeof ROLES)[number];

export function MembersScreen() {
  const members = useQuery({
    queryKey: ["members"],
    queryFn: () => all(liveApi.users.list({ per_page: 100 })),
  });
  const invitations = useQuery({
    queryKey: ["invitations"],
    queryFn: () => all(liveApi.invitations.list({ status: "invited", per_page: 100 })),
  });
  return (
    <Page title="Members">
      <InviteMember />
      <section className="panel" aria-labelledby="members-heading">
        <h2 id="members-heading">People</h2>
        {members.isPending && <Loading what="members" />}
        {members.error && <p className="error">{problemOf(members.error)?.message}</p>}
        {(members.data?.length ?? 0) > 0 && (
          <TableWrap label="Members table">
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>E-mail</th>
                  <th>Role</th>
                  <th>Status</th>
                  <th>Hourly rate</th>
                </tr>
              </thead>
              <tbody>
                {members.data?.map((member) => (
                  <MemberRow key={member.id} member={member} />
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
      <section className="panel" aria-labelledby="invitations-heading">
        <h2 id="invitations-heading">Pending invitations</h2>
        {invitations.data?.length === 0 && <Empty>No pending invitations. Invite someone above.</Empty>}
        <ul className="plain-list">
          {invitations.data?.map((invitation) => (
            <li key={invitation.id}>
              <span>
                {invitation.email}{" "}
                <span className="hint">
                  as {invitation.role}, until {formatDateTime(invitation.expires_at)}
                </span>
              </span>
              <RevokeInvitation id={invitation.id} email={invitation.email} />
            </li>
          ))}
        </ul>
      </section>
    </Page>
  );
}

function InviteMember() {
  const [invited, setInvited] = useState<InvitationWithToken>();
  const invite = useChange(
    (form: FormData) => {
      const rate = text(form, "hourly_rate");
      return liveApi.users.invite({
        email: text(form, "email") ?? "",
        role: (text(form, "role") ?? "member") as Role,
        hourly_rate: rate === undefined ? undefined : toMinorUnits(rate),
      });
    },
    ["invitations"],
  );
  const { onSubmit, problem, pending } = useSubmit(async (form, element) => {
    setInvited(await invite.mutateAsync(form));
    element.reset();
  });
  return (
    <section className="panel" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite a member</h2>
      {invited && (
        <SecretOnce
          title={`Invitation link for ${invited.email}`}
          secret={invited.invitation_url}
          copyLabel="Copy link"
          onDone={() => setInvited(undefined)}
        />
      )}
      <form className="row-form" onSubmit={onSubmit} noValidate aria-label="New invitation">
        <Field label="E-mail to invite" className="grow" error={fieldError(problem, "email")}>
          {(control) => <input {...control} name="email" type="email" required />}
        </Field>
        <Field label="Role" error={fieldError(problem, "role")}>
          {(control) => (
            <select {...control} name="role" defaultValue="member">
              {ROLES.map((role) => (
                <option key={role} value={role}>
                  {role}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Hourly rate" error={fieldError(problem, "hourly_rate")}>
          {(control) => <input {...control} name="hourly_rate" type="number" min="0" step="0.01" />}
        </Field>
        <button type="submit" disabled={pending}>
          Invite member
        </button>
        <FormError message={formError(problem, ["email", "role", "hourly_rate"])} />
      </form>
    </section>
  );
}

function MemberRow({ member }: { member: Member }) {
  const [rate, setRate] = useState("");
  const update = useChange((role: Role) => liveApi.users.update(member.id, { role }), ["members"]);
  const setHourlyRate = useChange(
    () => liveApi.users.setRate(member.id, { hourly_rate: rate === "" ? null : toMinorUnits(rate) }),
    ["members"],
  );
  const problem = problemOf(update.error ?? setHourlyRate.error);
  return (
    <tr>
      <td>{member.name}</td>
      <td>{member.email}</td>
      <td>
        <select
          aria-label={`Role of ${member.name}`}
          value={member.role}
          onChange={(e) => update.mutate(e.target.value as Role)}
        >
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </select>
      </td>
      <td>{member.status}</td>
      <td>
        <form
          className="buttons"
          onSubmit={(e) => {
            e.preventDefault();
            setHourlyRate.mutate(undefined);
          }}
        >
          <input
            aria-label={`Hourly rate of ${member.name}`}
            type="number"
            min="0"
            step="0.01"
            placeholder={
              setHourlyRate.data?.hourly_rate != null
                ? fromMinorUnits(setHourlyRate.data.hourly_rate)
                : "default"
            }
            value={rate}
            onChange={(e) => setRate(e.target.value)}
          />
          <button type="submit" className="secondary">
            Set rate<span className="visually-hidden"> of {member.name}</span>
          </button>
        </form>
        {setHourlyRate.isSuccess && (
          <span role="status" className="hint">
            Rate saved.
          </span>
        )}
        <FormError message={problem?.message} />
      </td>
    </tr>
  );
}

function RevokeInvitation({ id, email }: { id: string; email: string }) {
  const revoke = useChange(() => liveApi.invitations.delete(id), ["invitations"]);
  return (
    <button type="button" className="danger" onClick={() => revoke.mutate(undefined)}>
      Revoke invitation<span className="visually-hidden"> for {email}</span>
    </button>
  );
}
