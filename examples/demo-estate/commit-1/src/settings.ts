// Everything here comes from the environment: nothing for nhi to report.
export const settings = {
  githubToken: process.env.GITHUB_TOKEN ?? '',
  slackToken: process.env.SLACK_BOT_TOKEN ?? '',
  apiKey: '<your-api-key>',
  passwordLabel: 'Enter your password',
  buildHash: 'sha256-3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea',
};
