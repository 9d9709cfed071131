using System.Diagnostics;
using System.Text.Json;
using static TorchSharp.torch;

namespace DitML.Training;

/// <summary>
/// The step loop every trainer shares: the learning rate of each step from the schedule, a <c>log.jsonl</c> line and a
/// progress report every <see cref="TrainerOptions.LogEvery"/> steps, a checkpoint every
/// <see cref="TrainerOptions.CheckpointEvery"/> steps or <see cref="TrainerOptions.CheckpointInterval"/> of wall time,
/// at the end and on cancellation, and <see cref="StepFailure"/>'s checkpoint when a step fails.
/// </summary>
internal static class TrainingLoop
{
    /// <summary>Trains <paramref name="run"/> to its target or until cancelled; returns the steps done.</summary>
    public static long Run(ITrainingRun run, IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        var options = run.Options;
        string checkpointPath = Path.Combine(run.RunDirectory, TrainingCheckpoint.FileName);
        var sum = new Sums();
        var watch = Stopwatch.StartNew();
        var sinceCheckpoint = Stopwatch.StartNew();
        long saved = run.Step;
        run.BeginTraining();
        using var log = new StreamWriter(Path.Combine(run.RunDirectory, TrainingLog.FileName), append: true);
        while (run.Step < options.Steps && !cancellation.IsCancellationRequested)
        {
            bool stepDone = false;
            try
            {
                double lr = options.LearningRateAt(run.Step);
                StepLoss loss;
                using (NewDisposeScope()) loss = run.TrainStep(lr);
                stepDone = true;
                sum.Add(loss, lr);
                long step = run.Step;
                if (step % options.LogEvery == 0 || step == options.Steps)
                {
                    var point = sum.Point(step, options.Steps, watch.Elapsed.TotalSeconds);
                    log.WriteLine(JsonSerializer.Serialize(sum.LogLine(point)));
                    log.Flush();
                    progress?.Report(point);
                    sum = new Sums();
                    watch.Restart();
                }
                if (step % options.CheckpointEvery == 0 || (options.CheckpointInterval is { } interval && sinceCheckpoint.Elapsed >= interval))
                {
                    run.SaveCheckpoint();
                    saved = step;
                    sinceCheckpoint.Restart();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw StepFailure.Checkpointed(e, stepDone, run.Step, saved, checkpointPath, run.SaveCheckpoint);
            }
        }
        if (saved != run.Step || !File.Exists(checkpointPath)) run.SaveCheckpoint();
        return run.Step;
    }

    /// <summary>The losses summed since the last log line.</summary>
    private sealed class Sums
    {
        private double loss, mse, vb, lr;
        private bool terms;
        private int count;

        public void Add(StepLoss step, double learningRate)
        {
            loss += step.Loss;
            mse += step.Mse ?? 0;
            vb += step.Vb ?? 0;
            terms |= step.Mse is not null;
            lr = learningRate;
            count++;
        }

        /// <summary>The point to report; a loss without terms reports itself as its MSE and 0 as its VB.</summary>
        public TrainingProgress Point(long step, long total, double seconds) =>
            new(step, total, loss / count, terms ? mse / count : loss / count, terms ? vb / count : 0, count / seconds) { LearningRate = lr };

        /// <summary>The log line: step, loss, the loss's terms where it has them, the last step's lr, speed.</summary>
        public Dictionary<string, object> LogLine(TrainingProgress point)
        {
            var line = new Dictionary<string, object> { ["step"] = point.Step, ["loss"] = point.Loss };
            if (terms) (line["mse"], line["vb"]) = (point.Mse, point.Vb);
            line["lr"] = point.LearningRate;
            line["steps_per_second"] = Math.Round(point.StepsPerSecond, 3);
            return line;
        }
    }
}
