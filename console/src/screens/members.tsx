import { Page } from "../ui/page";

export function MembersScreen() {
  return <Page title="Members">{null}</Page>;
}
