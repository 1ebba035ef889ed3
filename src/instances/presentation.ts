/** How an instance looks in the tree: codicon per status, relative times, durations, the tooltip. */
import * as vscode from 'vscode';
import type { InstanceSummary } from '../../emulator/protocol/control';
import type { RuntimeStatus } from '../../emulator/protocol/durable';

const ICONS: Record<RuntimeStatus, [string, string | undefined]> = {
  Running: ['sync~spin', 'charts.blue'],
  Pending: ['clock', undefined],
  Suspended: ['debug-pause', 'charts.yellow'],
  Completed: ['check', 'testing.iconPassed'],
  Failed: ['error', 'testing.iconFailed'],
  Terminated: ['circle-slash', 'disabledForeground'],
  ContinuedAsNew: ['debug-restart', undefined],
};

export function statusIcon(status: RuntimeStatus): vscode.ThemeIcon {
  const [id, color] = ICONS[status] ?? ['question', undefined];
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

/** "just now", "42s ago", "5m ago", "3h ago", "2d ago", then the date. */
export function relativeTime(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const s = Math.round((now - t) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  if (s < 7 * 86400) return `${Math.floor(s / 86400)}d ago`;
  return new Date(t).toLocaleDateString();
}

/** "850 ms", "4.2 s", "3m 12s", "2h 5m". */
export function duration(ms: number): string {
  if (ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** Run time so far (still running) or in all (finished). */
export function elapsed(s: InstanceSummary, now = Date.now()): number {
  const end = s.completedTime ? Date.parse(s.completedTime) : s.runtimeStatus === 'Running' || s.runtimeStatus === 'Pending' ? now : Date.parse(s.lastUpdatedTime);
  return end - Date.parse(s.createdTime);
}

/** `<name or status> · <created> · <duration>`: the group already says the other one. */
export function description(s: InstanceSummary, groupedByStatus: boolean, now = Date.now()): string {
  const parts = [groupedByStatus ? s.name : s.runtimeStatus, relativeTime(s.createdTime, now)];
  if (s.completedTime || s.runtimeStatus !== 'Pending') parts.push(duration(elapsed(s, now)));
  return parts.filter(Boolean).join(' · ');
}

function fence(label: string, json: string | null): string {
  if (json === null || json === undefined) return '';
  const text = json.length > 600 ? `${json.slice(0, 600)}…` : json;
  return `\n\n**${label}**\n\n\`\`\`json\n${text.replace(/```/g, '`\u200b``')}\n\`\`\``;
}

export function tooltip(s: InstanceSummary): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  const rows = [
    `**${escape(s.name)}** · ${s.runtimeStatus}`,
    `Id: \`${s.instanceId}\``,
    `Created: ${new Date(s.createdTime).toLocaleString()}`,
    `Updated: ${new Date(s.lastUpdatedTime).toLocaleString()}`,
  ];
  if (s.completedTime) rows.push(`Completed: ${new Date(s.completedTime).toLocaleString()} (${duration(elapsed(s))})`);
  if (s.parentInstanceId) rows.push(`Parent: \`${s.parentInstanceId}\``);
  md.appendMarkdown(rows.join('  \n'));
  if (s.failure) md.appendMarkdown(`\n\n$(error) **${escape(s.failure.type)}**: ${escape(s.failure.message)}`);
  md.appendMarkdown(fence('Input', s.inputPreview) + fence('Output', s.outputPreview) + fence('Custom status', s.customStatusPreview));
  return md;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
