using Operational.Rules.Alerts;
using Operational.Rules.Definitions;
using Operational.Rules.Evaluation;
using Operational.Rules.JobChecks;
using Operational.ServiceDefaults.Storage;

namespace Operational.Rules.Storage;

/// <summary>
/// The rules service's database (one SQLite file, or one MongoDB database): every store the
/// service has, prepared and pinged as one. Code depends on the narrow interface of what it
/// reads or writes; this one exists for registration and the contract tests.
/// </summary>
public interface IRulesStore : IServiceStore, IRuleStore, IRuleCounterStore, IRuleRunStore, IAlertStore, IAlertOutbox, ISilenceStore, ICheckRunStore, ICheckHistoryStore;
