import java.nio.file.Path;
import org.prefixmoe.estimation.moe.*;
import org.prefixmoe.model.moe.*;
import org.prefixmoe.sampling.*;
import org.prefixmoe.simulation.moe.*;
public class Followup3 {
  public static void main(String[] a) {
    MoeScenario s = MoeScenarioFiles.read(Path.of("/work/main/simulations/moe/sgame-over-converged.yaml"));
    MixtureOfExperts m = s.model().withComponents(3);
    System.out.println("n,rep,iterations,loglik,loss,loss_normalized,cells");
    for (int n : new int[]{10000, 30000}) {
      for (int r = 1; r <= 6; r++) {
        Dataset d = new MixtureSampler(s.model(), s.truth(), s.design(), 0).sample(n, RandomStreams.stream(4242, n, r, 0));
        Components c = s.init().draw(m, s.truth(), n, RandomStreams.stream(4242, n, r, 1));
        int done = 0;
        for (int target : new int[]{4, 20, 100, 500, 2000}) {
          MixtureFit f = MixtureEm.defaults().withTolerance(0).withMaxIterations(target - done).fit(m, d.x(), d.y(), c);
          c = f.estimate(); done = target;
          var l = MoeRunner.losses(s, m, c);
          StringBuilder cells = new StringBuilder();
          for (int v : l.raw().cellSizes()) cells.append(cells.length()==0?"":"|").append(v);
          System.out.println(n+","+r+","+done+","+f.logLikelihood()+","+l.raw().loss()+","+l.normalized().loss()+","+cells);
        }
      }
    }
  }
}
