/**
 * The family of gated mixtures of experts (docs/theory.md, "Other mixtures of experts"): a
 * {@link org.prefixmoe.model.moe.MixtureOfExperts} is a {@link org.prefixmoe.model.moe.Gate} ×
 * an {@link org.prefixmoe.model.moe.Expert} × an {@link org.prefixmoe.model.moe.Observation},
 * over K free components and optional frozen ones ({@link org.prefixmoe.model.moe.FrozenComponents}).
 * The prefix model of {@link org.prefixmoe.model.PrefixModel} is one configuration of it
 * ({@link org.prefixmoe.model.PrefixModel#asMixture(int)}): frozen quadratic-score linear experts plus
 * prompts whose linear gate and constant expert come from one atom through a
 * {@link org.prefixmoe.model.Parameterization}.
 */
package org.prefixmoe.model.moe;
