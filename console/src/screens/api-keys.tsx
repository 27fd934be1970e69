import { Page } from "../ui/page";

export function ApiKeysScreen() {
  return <Page title="API keys">{null}</Page>;
}
