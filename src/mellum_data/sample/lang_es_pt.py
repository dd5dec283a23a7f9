"""Spanish and Portuguese sentence banks (written for this project)."""
# ruff: noqa: E501  (sentence banks: one template per line reads better than wrapped strings)

from __future__ import annotations

from collections.abc import Callable
from random import Random

from mellum_data.sample.text import Language, Topic


def _namer(first: tuple[str, ...], last: tuple[str, ...]) -> Callable[[Random], str]:
    return lambda rng: f"{rng.choice(first)} {rng.choice(last)}"


ES_MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
PT_MONTHS = (
    "janeiro",
    "fevereiro",
    "março",
    "abril",
    "maio",
    "junho",
    "julho",
    "agosto",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
)

ES_GENERIC = (
    "Aun así, no todo el mundo está convencido.",
    "{name}, que sigue el tema desde hace [años|más de una década], lo resume así: «[No es complicado, pero requiere paciencia|La mayoría de los problemas son viejos con nombres nuevos|Siempre se subestiman los detalles]».",
    "Las cifras cuentan solo una parte de la historia.",
    "Según una [encuesta|estudio] publicada en {year}, alrededor del {pct} % de los encuestados [dice haber cambiado sus hábitos|no había oído hablar de ello].",
    "Parece [obvio|sencillo], pero es más fácil decirlo que hacerlo.",
    "Sin embargo, hay un problema.",
    "En la práctica, la situación es [más compleja|menos ordenada] de lo que sugiere [cualquier folleto|el comunicado oficial].",
    "Lo que ocurra ahora dependerá de [decisiones que aún no se han tomado|unas pocas reuniones en los próximos meses].",
    "Hace [diez|veinte] años, casi nadie lo habría imaginado.",
    "La lección es [sencilla|modesta]: [empezar poco a poco, medir y ajustar|escuchar a quienes hacen el trabajo].",
    "Una mañana [gris|lluviosa|soleada] de [martes|jueves|sábado] en {city}, el ambiente era [tranquilo|tenso|de prudente optimismo].",
    "Los críticos recuerdan que [las mismas promesas ya se hicieron antes|los costes rara vez se calculan con honestidad].",
)

ES_TOPICS = {
    "viajes": Topic(
        titles=(
            "[Tres días|Un fin de semana] en {city}: [qué ver y qué evitar|guía práctica]",
            "El {camino} a pie: [lo que nadie te cuenta|consejos prácticos]",
            "[Viajar en tren|Viajar despacio]: por qué dejé de [volar|coger aviones]",
        ),
        headings=("Cómo llegar", "Dónde dormir", "Qué llevar", "Etapa a etapa", "Presupuesto"),
        sentences=(
            "El {camino} recorre unos {num} kilómetros entre [bosques|campos|colinas suaves] y termina en {city}.",
            "La mayoría de los caminantes lo divide en [tres|cuatro] etapas y duerme en [albergues|pensiones|casas rurales].",
            "En verano conviene reservar con antelación, porque algunos pueblos tienen un solo alojamiento.",
            "Hay que llevar menos de lo que uno cree: chubasquero, calcetines de repuesto, un mapa en papel, agua y algo de comer.",
            "La señalización es buena, aunque en los tramos de bosque las marcas se vuelven escasas.",
            "El segundo día cambió el tiempo y esperamos [una hora|a que pasara el chaparrón] en [un granero|una parada de autobús|una ermita].",
            "{name} regenta una pequeña pensión en el valle y cuenta que las reservas no han dejado de crecer desde {year}.",
            "Los autobuses regionales permiten saltarse una etapa cuando los pies ya no responden.",
            "El tren nocturno sale poco antes de las [diez|once] y llega [a la hora del desayuno|temprano a la mañana siguiente].",
            "Las vistas desde la cresta compensan [con creces|de sobra] el último kilómetro de subida.",
            "Viajar despacio cambia lo que uno percibe: panaderías, campanas, muros antiguos y acentos que cambian de un valle a otro.",
        ),
        slots={
            "camino": (
                "Camino del Norte",
                "Camino de Ronda",
                "Camino de la Plata",
                "Sendero del Río",
            )
        },
    ),
    "cocina": Topic(
        titles=(
            "{plato} [casera|como la de siempre|sin complicaciones]",
            "[Cinco|Seis] errores que todos cometemos con {plato}",
            "{plato}: [una receta familiar|pequeña historia de un clásico|apuntes desde {city}]",
        ),
        headings=("Ingredientes", "Preparación", "Consejos", "Para acompañar", "Sobras"),
        sentences=(
            "Un buen plato empieza con buenos ingredientes; lo demás es [práctica|técnica].",
            "[Mi abuela|Mi tía] la preparaba cada [domingo|viernes] sin receta, por eso la versión escrita es [sorprendentemente difícil|casi una traducción].",
            "Sala pronto y prueba [a menudo|de vez en cuando].",
            "No llenes demasiado la sartén: el vapor tiene que escapar, o las verduras se cuecen en lugar de dorarse.",
            "El sofrito es la base de todo y no admite prisas.",
            "En {city}, {plato} se sirve tradicionalmente con [pan|una ensalada verde|un vaso de vino].",
            "Las sobras se conservan [tres|cuatro] días en la nevera y se congelan sin problema.",
            "La receta es para cuatro personas y lleva unos {num} minutos, casi todos de espera.",
            "Las hierbas secas van al principio; las frescas, justo antes de servir.",
            "Si el ajo se quema, mejor empezar de nuevo: el amargor lo estropea todo.",
            "¿Lleva [cebolla|chorizo|pimiento] {plato} de verdad? La discusión [no tiene fin|divide a las familias].",
            "Deja reposar [diez|unos] minutos antes de cortar; esa pequeña pausa se nota.",
        ),
        slots={
            "plato": (
                "la tortilla de patatas",
                "la paella",
                "la fabada",
                "la crema de calabaza",
                "la empanada gallega",
            )
        },
    ),
    "vivienda": Topic(
        titles=(
            "[Alquilar|Comprar] en {city}: [el precio de vivir en el centro|qué ha cambiado desde {year}]",
            "[Por qué|Cómo] los barrios de {city} [están cambiando|se transforman]",
            "Vivir en {city} con un sueldo medio: [testimonios|cifras y realidades]",
        ),
        headings=("El problema", "Qué dicen los datos", "Voces del barrio", "Posibles soluciones"),
        sentences=(
            "El alquiler medio en el centro de {city} ha subido un {pct} % desde {year}.",
            "Muchos jóvenes destinan más de la mitad de su sueldo a pagar el piso.",
            "{name} lleva {n} años buscando un piso asequible cerca de su trabajo.",
            "Los pisos turísticos han [reducido|cambiado] la oferta en los barrios históricos.",
            "El ayuntamiento anunció en {year} un plan para construir {big} viviendas públicas.",
            "Los vecinos más mayores recuerdan un barrio lleno de talleres y tiendas de toda la vida.",
            "Compartir piso ya no es solo cosa de estudiantes.",
            "Las cooperativas de vivienda [ganan terreno|son una alternativa cada vez más seria].",
            "Los expertos coinciden en que no hay una solución única ni rápida.",
            "El transporte público decide, en buena medida, dónde puede vivir cada uno.",
            "En las afueras los precios son más bajos, pero el trayecto diario se alarga [una hora|considerablemente].",
        ),
    ),
    "salud": Topic(
        titles=(
            "¿Cuántas horas [de sueño|de ejercicio] necesitamos [de verdad|realmente]?",
            "[Caminar|Nadar] [cada día|dos veces por semana]: lo que dice la ciencia",
            "Pantallas, estrés y café: [los enemigos del sueño|qué altera nuestro descanso]",
        ),
        headings=(
            "Lo que dicen los estudios",
            "Los límites",
            "Consejos prácticos",
            "Cuándo ir al médico",
        ),
        sentences=(
            "La mayoría de los adultos necesita entre siete y nueve horas de sueño, aunque las necesidades varían.",
            "La regularidad de los horarios importa tanto como el total de horas.",
            "Un paseo rápido de treinta minutos basta para cumplir la mayoría de las recomendaciones.",
            "Investigadores de {city} siguieron a {big} voluntarios durante {n} años.",
            "Quienes hacían ejercicio con regularidad dormían mejor y enfermaban menos.",
            "Una correlación no es una prueba, y los autores lo recuerdan.",
            "La cafeína sigue actuando horas después: un café por la tarde todavía hace efecto al acostarse.",
            "Los médicos advierten contra el uso prolongado de somníferos.",
            "Los pequeños cambios suman: subir por las escaleras, bajarse del autobús una parada antes.",
            "Si los problemas duran más de unas semanas, conviene consultar a un profesional.",
            "La luz de la mañana ayuda a que el reloj interno se mantenga en hora.",
        ),
    ),
}

ES_TECH = Topic(
    titles=(
        "Primeros pasos con {tool}",
        "{tool}: [guía práctica|lo básico|trucos útiles]",
        "Cómo usar {tool} [en producción|en el día a día]",
    ),
    headings=(
        "Instalación",
        "Un primer ejemplo",
        "Cómo funciona",
        "Manejo de errores",
        "Rendimiento",
        "Conclusión",
    ),
    sentences=(
        "Antes de empezar, comprueba que {tool} está instalado y disponible en el PATH.",
        "El siguiente ejemplo muestra la idea en pocas líneas.",
        "Un error habitual es [capturar todas las excepciones|ignorar el valor de retorno] y seguir adelante.",
        "Con entradas pequeñas cualquier enfoque sirve; las diferencias aparecen con millones de registros.",
        "Mide antes de optimizar: el cuello de botella rara vez está donde uno cree.",
        "La documentación oficial describe todas las opciones, pero los valores por defecto sirven para casi todos los proyectos.",
        "Mantén la configuración fuera del código; las variables de entorno facilitan los despliegues.",
        "Las pruebas son cortas: se da a la función una entrada conocida y se compara el resultado con el esperado.",
        "En la siguiente sección ampliaremos el ejemplo para manejar [ficheros grandes|entradas incorrectas].",
        "Cuidado con [las zonas horarias|las codificaciones de texto|la comparación de números de coma flotante]: causan más errores de los que nadie admite.",
        "Si ejecutas el programa ahora, la salida se parece a esta.",
        "[Internamente|Por debajo], {tool} [guarda en caché|conserva] el resultado, [así que|por lo que] las llamadas siguientes [casi no cuestan nada|son mucho más rápidas].",
        "[Para empezar|De momento], esta versión [sencilla|corta] [basta|es suficiente]; [las optimizaciones|los retoques] [vendrán|llegarán] después.",
        "Fija las versiones de las dependencias para que la compilación [sea idéntica|dé el mismo resultado] [en cualquier máquina|en la integración continua].",
        "[Cuando|En cuanto] el proyecto [crece|se hace más grande], [conviene|merece la pena] mover estas funciones a un módulo [aparte|propio].",
        "[En resumen|Resumiendo]: primero [legible|claro], después [rápido|eficiente].",
        "Un bucle [explícito|algo más largo] es [más fácil|mucho más sencillo] de [depurar|revisar] que una línea [ingeniosa|demasiado compacta].",
    ),
)

ES_UI = {
    "home": "Inicio",
    "about": "Quiénes somos",
    "contact": "Contacto",
    "search": "Buscar",
    "cookie": "Utilizamos cookies propias y de terceros para mejorar tu experiencia. Si continúas navegando, consideramos que aceptas su uso.",
    "accept": "Aceptar",
    "settings": "Configurar",
    "related": "Te puede interesar",
    "popular": "Lo más leído",
    "tags": "Etiquetas",
    "newsletter": "Recibe nuestro boletín cada semana.",
    "subscribe": "Suscribirse",
    "rights": "Todos los derechos reservados.",
    "privacy": "Política de privacidad",
    "imprint": "Aviso legal",
    "terms": "Condiciones de uso",
    "by": "Por",
    "read_more": "Leer más",
    "share": "Compartir",
    "comments": "comentarios",
    "min_read": "min de lectura",
    "menu": "Menú",
    "skip": "Ir al contenido",
    "coming_soon": "Página en construcción.",
    "not_found": "Lo sentimos, no hemos encontrado la página que buscas.",
    "moved": "Esta página se ha trasladado. Actualiza tus marcadores.",
    "next": "Página siguiente",
    "prev": "Página anterior",
    "docs": "Documentación",
    "edit": "Editar esta página",
}

SPANISH = Language(
    code="es",
    spaced=True,
    slots={
        "name": _namer(
            ("Lucía", "Javier", "Carmen", "Pablo", "Elena", "Andrés", "Marta", "Diego", "Nuria"),
            ("García", "Fernández", "López", "Martín", "Sánchez", "Romero", "Navarro", "Ortega"),
        ),
        "city": (
            "Valencia",
            "Sevilla",
            "Bilbao",
            "Zaragoza",
            "Málaga",
            "Granada",
            "Salamanca",
            "Oviedo",
            "Rosario",
        ),
    },
    generic=ES_GENERIC,
    topics=ES_TOPICS,
    tech=ES_TECH,
    tech_math=(),
    ui=ES_UI,
    sections=("Actualidad", "Cultura", "Viajes", "Ciencia", "Opinión", "Economía"),
    date=lambda y, m, d: f"{d} de {ES_MONTHS[m - 1]} de {y}",
)

PT_GENERIC = (
    "Ainda assim, nem todos estão convencidos.",
    "{name}, que acompanha o tema há [anos|mais de uma década], resume assim: “[Não é complicado, mas exige paciência|A maioria dos problemas é antiga, só os nomes mudaram|As pessoas subestimam os detalhes].”",
    "Os números contam apenas parte da história.",
    "Segundo um [inquérito|estudo] publicado em {year}, cerca de {pct} % dos inquiridos [afirmam ter mudado de hábitos|nunca tinham ouvido falar do assunto].",
    "Parece [óbvio|simples], mas é mais fácil dizer do que fazer.",
    "Há, porém, um senão.",
    "Na prática, a realidade é [mais complicada|menos arrumada] do que qualquer [folheto|comunicado] sugere.",
    "O que acontecer a seguir depende de [decisões que ainda não foram tomadas|algumas reuniões nos próximos meses].",
    "Há [dez|vinte] anos, quase ninguém o teria previsto.",
    "A lição é [simples|modesta]: [começar devagar, medir e ajustar|ouvir quem faz o trabalho].",
    "Numa manhã [cinzenta|chuvosa|soalheira] em {city}, o ambiente era [tranquilo|tenso|de otimismo cauteloso].",
)

PT_TOPICS = {
    "cozinha": Topic(
        titles=(
            "{prato} [caseiro|como antigamente|sem complicações]",
            "[Cinco|Seis] erros comuns ao preparar {prato}",
            "{prato}: [uma receita de família|a história de um clássico|notas de {city}]",
        ),
        headings=("Ingredientes", "Preparação", "Dicas", "Acompanhamentos", "Sobras"),
        sentences=(
            "Um bom prato começa com bons ingredientes; o resto é [prática|técnica].",
            "[A minha avó|A minha tia] fazia-o todos os [domingos|sábados] sem receita, por isso a versão escrita é [surpreendentemente difícil|quase uma tradução].",
            "Tempere cedo e prove [muitas vezes|ao longo da cozedura].",
            "Não encha demasiado a frigideira: o vapor precisa de sair, senão os legumes cozem em vez de alourar.",
            "Em {city}, {prato} serve-se tradicionalmente com [pão|arroz|uma salada verde].",
            "As sobras conservam-se [três|quatro] dias no frigorífico e congelam bem.",
            "A receita dá para quatro pessoas e leva cerca de {num} minutos, a maior parte de espera.",
            "As ervas secas entram no início; as frescas, mesmo no fim.",
            "Se o alho queimar, é melhor recomeçar: o amargo estraga tudo.",
            "Deixe repousar [dez|alguns] minutos antes de cortar; essa pequena pausa faz diferença.",
            "Leva [chouriço|coentros|natas] ou não leva? A discussão [nunca terá fim|divide famílias inteiras].",
        ),
        slots={
            "prato": (
                "o caldo verde",
                "o bacalhau à Brás",
                "o arroz de pato",
                "o arroz de marisco",
                "o cozido à portuguesa",
            )
        },
    ),
    "cidade": Topic(
        titles=(
            "Como {city} está a [mudar|repensar] os transportes",
            "[De bicicleta|A pé] por {city}: [o que mudou|um balanço]",
            "Menos carros no centro de {city}: [uma aposta ganha?|as dúvidas dos comerciantes]",
        ),
        headings=("O plano", "O que dizem os números", "Reações", "Próximos passos"),
        sentences=(
            "Quando a câmara apresentou o plano em {year}, [as reações foram mistas|poucos acreditaram que avançaria].",
            "A nova rede de autocarros substitui {num} linhas sinuosas por [poucas linhas muito frequentes|uma malha mais simples].",
            "Um autocarro a cada [dez|doze] minutos vale mais do que uma linha que passa em todo o lado uma vez por hora.",
            "O número de passageiros subiu {pct} % no primeiro ano, segundo [a operadora|os dados da cidade].",
            "Onde antes havia estacionamento há agora [árvores e bancos|passeios mais largos|suportes para bicicletas].",
            "{name} tem uma [padaria|livraria] na praça e temia perder clientes; afinal, o movimento aumentou.",
            "O trânsito não desapareceu: parte dele apenas se deslocou para a circular.",
            "Os autocarros noturnos raramente aparecem nos planos, mas para quem trabalha por turnos são muitas vezes a única opção.",
            "O prolongamento do elétrico vai custar cerca de {big} milhões de euros, bem acima da estimativa inicial.",
            "O mais difícil, admitem os técnicos, não foi a engenharia mas [a comunicação|explicar as mudanças].",
        ),
    ),
    "dinheiro": Topic(
        titles=(
            "Como as pequenas lojas de {city} [sobrevivem|resistem] às rendas altas",
            "Um orçamento simples que [funciona mesmo|finalmente resultou]",
            "Abrir um pequeno negócio em {city}: [lições do primeiro ano|o que aprendi]",
        ),
        headings=("O problema", "Para onde vai o dinheiro", "O que ajudou", "Conselhos"),
        sentences=(
            "A renda absorve agora cerca de {pct} % da faturação de muitas lojas do centro.",
            "Anote todas as despesas durante um mês; quase toda a gente se surpreende com as pequenas.",
            "Um fundo de emergência para [três|seis] meses parece ambicioso, mas pode ser construído devagar.",
            "{name} abriu o [café|atelier] em {year} com poupanças e uma máquina de café em segunda mão.",
            "O que afunda a maioria dos negócios novos não é a falta de lucro, mas a tesouraria.",
            "As taxas de juro subiram depressa depois de {year}, o que baralhou os planos de quem tinha crédito variável.",
            "Os fundos de índice são aborrecidos, e é precisamente por isso que funcionam.",
            "Subir preços é desconfortável, mas os clientes habituais aceitam aumentos pequenos e bem explicados.",
            "Separe as contas pessoais das da empresa desde o primeiro dia.",
            "Ninguém abre uma livraria para ficar rico; quase todos falam de liberdade e de comunidade.",
        ),
    ),
}

PT_TECH = Topic(
    titles=(
        "Primeiros passos com {tool}",
        "{tool}: [guia prático|o essencial|dicas úteis]",
        "Usar {tool} [em produção|no dia a dia]",
    ),
    headings=(
        "Instalação",
        "Um primeiro exemplo",
        "Como funciona",
        "Tratamento de erros",
        "Desempenho",
        "Conclusão",
    ),
    sentences=(
        "Antes de começar, confirme que o {tool} está instalado e disponível no PATH.",
        "O exemplo seguinte mostra a ideia em poucas linhas.",
        "Um erro comum é [apanhar todas as exceções|ignorar o valor de retorno] e seguir em frente.",
        "Com entradas pequenas qualquer abordagem serve; as diferenças surgem com milhões de registos.",
        "Meça antes de otimizar: o gargalo raramente está onde se espera.",
        "A documentação oficial descreve todas as opções, mas os valores por omissão servem para a maioria dos projetos.",
        "Mantenha a configuração fora do código; variáveis de ambiente facilitam a implementação.",
        "Os testes são curtos: dá-se à função uma entrada conhecida e compara-se o resultado com o esperado.",
        "Na próxima secção vamos alargar o exemplo para lidar com [ficheiros grandes|entradas inválidas].",
        "Se executar o programa agora, a saída será parecida com esta.",
        "[Internamente|Por baixo], o {tool} [guarda em cache|conserva] o resultado, [pelo que|de modo que] as chamadas seguintes [quase não custam nada|são muito mais rápidas].",
        "[Para começar|Por agora], esta versão [simples|curta] [chega|é suficiente]; [as otimizações|os acabamentos] [ficam|vêm] para depois.",
        "Fixe as versões das dependências para que a compilação [seja idêntica|dê o mesmo resultado] [em qualquer máquina|na integração contínua].",
        "[Quando|Assim que] o projeto [cresce|fica maior], [convém|vale a pena] mover estas funções para um módulo [à parte|próprio].",
        "[Em resumo|Resumindo]: primeiro [legível|claro], depois [rápido|eficiente].",
        "Cuidado com [fusos horários|codificações de texto|comparações de números de vírgula flutuante]: causam mais erros do que se gosta de admitir.",
    ),
)

PT_UI = {
    "home": "Início",
    "about": "Sobre nós",
    "contact": "Contactos",
    "search": "Pesquisar",
    "cookie": "Este site utiliza cookies para melhorar a sua experiência. Ao continuar a navegar, aceita a sua utilização.",
    "accept": "Aceitar",
    "settings": "Definições",
    "related": "Leia também",
    "popular": "Mais lidas",
    "tags": "Etiquetas",
    "newsletter": "Receba a nossa newsletter todas as semanas.",
    "subscribe": "Subscrever",
    "rights": "Todos os direitos reservados.",
    "privacy": "Política de privacidade",
    "imprint": "Ficha técnica",
    "terms": "Termos de utilização",
    "by": "Por",
    "read_more": "Ler mais",
    "share": "Partilhar",
    "comments": "comentários",
    "min_read": "min de leitura",
    "menu": "Menu",
    "skip": "Saltar para o conteúdo",
    "coming_soon": "Página em construção.",
    "not_found": "Lamentamos, a página que procura não foi encontrada.",
    "moved": "Esta página mudou de endereço. Atualize os seus favoritos.",
    "next": "Página seguinte",
    "prev": "Página anterior",
    "docs": "Documentação",
    "edit": "Editar esta página",
}

PORTUGUESE = Language(
    code="pt",
    spaced=True,
    slots={
        "name": _namer(
            ("Inês", "João", "Mariana", "Tiago", "Beatriz", "Rui", "Catarina", "Miguel"),
            ("Silva", "Santos", "Ferreira", "Pereira", "Costa", "Rodrigues", "Almeida", "Sousa"),
        ),
        "city": ("Lisboa", "Porto", "Coimbra", "Braga", "Aveiro", "Évora", "Faro", "Setúbal"),
    },
    generic=PT_GENERIC,
    topics=PT_TOPICS,
    tech=PT_TECH,
    tech_math=(),
    ui=PT_UI,
    sections=("Atualidade", "Cultura", "Viagens", "Ciência", "Opinião", "Economia"),
    date=lambda y, m, d: f"{d} de {PT_MONTHS[m - 1]} de {y}",
)
