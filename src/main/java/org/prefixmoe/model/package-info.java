/**
 * The statistical model of docs/theory.md §2: pretrained experts ({@link org.prefixmoe.model.PretrainedExperts}),
 * the prefix model with its gating projection and parameterization ({@link org.prefixmoe.model.PrefixModel},
 * {@link org.prefixmoe.model.Parameterization} and its implementations), mixing measures
 * ({@link org.prefixmoe.model.MixingMeasure}), the parameter box, input distributions, truths
 * ({@link org.prefixmoe.model.TruthModel}) and the evaluator of {@code f_G} and its Jacobian.
 * Depends on nothing else in the toolkit.
 */
package org.prefixmoe.model;
