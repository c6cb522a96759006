/**
 * Log–log rate figures of a study (XChart, PNG and SVG). Needs the optional XChart dependency.
 */
package org.prefixmoe.plotting;
