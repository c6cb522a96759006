import java.nio.file.Path;
import org.prefixmoe.estimation.moe.*;
import org.prefixmoe.model.moe.*;
import org.prefixmoe.sampling.*;
import org.prefixmoe.simulation.moe.*;
public class Followup {
  public static void main(String[] a) {
    MoeScenario s = MoeScenarioFiles.read(Path.of("/work/main/simulations/moe/sgame-exact.yaml"));
    MixtureOfExperts m = s.model();
    MixtureEm em = MixtureEm.defaults().withTolerance(1e-6).withMaxIterations(2000);
    System.out.println("n,rep,loss_ours,loss_sd_start,it_ours,it_sd");
    for (int n : new int[]{300, 1000, 2020, 5000, 20000, 100000}) {
      for (int r = 1; r <= 40; r++) {
        Dataset d = new MixtureSampler(m, s.truth(), s.design(), 0).sample(n, RandomStreams.stream(777, n, r, 0));
        Components start = s.init().draw(m, s.truth(), n, RandomStreams.stream(777, n, r, 1));
        double[] nu = start.variances();
        double[] sd = new double[nu.length];
        for (int k = 0; k < nu.length; k++) sd[k] = nu[k] - s.truth().variance(k) + Math.sqrt(s.truth().variance(k));
        Components sdStart = new Components(start.gate(), start.expert(), sd);
        MixtureFit f1 = em.fit(m, d.x(), d.y(), start);
        MixtureFit f2 = em.fit(m, d.x(), d.y(), sdStart);
        double l1 = s.loss().evaluate(m, f1.estimate(), m, s.truth()).loss();
        double l2 = s.loss().evaluate(m, f2.estimate(), m, s.truth()).loss();
        System.out.println(n + "," + r + "," + l1 + "," + l2 + "," + f1.iterations() + "," + f2.iterations());
      }
    }
  }
}
