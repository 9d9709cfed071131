namespace DitML.Sampling;

/// <summary>The samplers DitML offers.</summary>
public enum SamplerKind
{
    /// <summary>Ancestral DDPM over respaced steps with the learned variance (the official default, 250 steps).</summary>
    Ddpm,

    /// <summary>DDIM with stochasticity η (0: deterministic).</summary>
    Ddim,

    /// <summary>DPM-Solver++(2M): second-order multistep in the data prediction; ~20 steps is close to converged.</summary>
    DpmSolverPlusPlus,

    /// <summary>EDM's Heun sampler (Karras et al.) on the ε-model, Karras σ spacing (ρ = 7); 2 evaluations per step but the last.</summary>
    Heun,
}
