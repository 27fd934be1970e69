import { Page } from "../ui/page";

export function WebhooksScreen() {
  return <Page title="Webhooks">{null}</Page>;
}
